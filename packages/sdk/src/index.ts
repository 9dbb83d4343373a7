/**
 * @stuf/sdk — typed operations generated from STUF's schema. The full client (`createStufClient`) arrives with the
 * SDK issue; for now the typed documents can be used with any GraphQL client that understands TypedDocumentNode.
 */
export * from './generated/graphql.js';

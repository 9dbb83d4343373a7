import { ADMIN_TOKEN } from './server.js';

export interface GraphQLResponse<T = any> {
  status: number;
  body: { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

/** POSTs a GraphQL operation as JSON. */
export async function gql<T = any>(url: string, query: string, variables: Record<string, unknown> = {}, token: string | null = ADMIN_TOKEN): Promise<GraphQLResponse<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse<T>['body'] };
}

export interface UploadPart {
  name: string;
  content: Blob | Uint8Array | string;
  type?: string;
}

export const CREATE_UPLOAD = /* GraphQL */ `
  mutation CreateUpload($input: CreateUploadInput!) {
    createUpload(input: $input) {
      __typename
      ... on CreateUploadPayload { upload { id createdAt metadata files { name size sha256 contentType downloadUrl } } }
      ... on Error { message code }
      ... on ValidationError { issues { path message } }
      ... on LimitExceededError { limit maximum path }
    }
  }
`;

/** Sends a GraphQL multipart request (the spec's `operations` + `map` + file parts) with the preflight header. */
export async function multipartUpload(
  url: string,
  files: UploadPart[],
  metadata: unknown = {},
  options: { token?: string | null; preflight?: boolean; operations?: string; map?: string } = {},
): Promise<GraphQLResponse> {
  const form = new FormData();
  form.set('operations', options.operations ?? JSON.stringify({ query: CREATE_UPLOAD, variables: { input: { files: files.map(() => null), metadata } } }));
  form.set('map', options.map ?? JSON.stringify(Object.fromEntries(files.map((_, index) => [String(index), [`variables.input.files.${index}`]]))));
  files.forEach((file, index) => {
    const blob = file.content instanceof Blob ? file.content : new Blob([file.content], { type: file.type ?? 'application/octet-stream' });
    form.set(String(index), blob, file.name);
  });
  const token = options.token === undefined ? ADMIN_TOKEN : options.token;
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { ...(options.preflight === false ? {} : { 'graphql-preflight': '1' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: form,
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) };
}

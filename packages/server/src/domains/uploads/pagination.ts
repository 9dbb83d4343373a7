import { ValidationError } from '../../errors.js';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

interface SortKey {
  createdAt: string;
  id: string;
}

/** Opaque keyset cursor: stable while items are added, unlike an offset. */
export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): SortKey {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id };
  } catch {
    // fall through to the typed error
  }
  throw new ValidationError([{ path: ['after'], message: 'Not a cursor returned by this API' }]);
}

/** Relay-style forward page over items already sorted newest first (createdAt desc, id desc). */
export function paginate<T>(sorted: T[], args: PageArgs, keyOf: (item: T) => SortKey): Page<T> {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (first < 0 || first > MAX_PAGE_SIZE) throw new ValidationError([{ path: ['first'], message: `Must be between 0 and ${MAX_PAGE_SIZE}` }]);
  let start = 0;
  if (args.after) {
    const after = decodeCursor(args.after);
    const index = sorted.findIndex((item) => {
      const key = keyOf(item);
      return key.createdAt < after.createdAt || (key.createdAt === after.createdAt && key.id < after.id);
    });
    start = index === -1 ? sorted.length : index;
  }
  const slice = sorted.slice(start, start + first);
  const edges = slice.map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: start + first < sorted.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: sorted.length,
  };
}

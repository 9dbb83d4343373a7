import { builder } from './builder.js';
import './errors-schema.js';
import './domains/health/schema.js';
import './domains/auth/schema.js';
import './domains/config/schema.js';
import './domains/journal/schema.js';
import './domains/uploads/schema.js';
import './domains/uploads/requirements-schema.js';
import './domains/users/schema.js';
import './domains/users/key-rotation-schema.js';

// Every root field needs a signed-in caller unless it opts out (`health` does, with skipTypeScopes).
builder.queryType({ authScopes: { authenticated: true } });
builder.mutationType({ authScopes: { authenticated: true } });

/** The executable schema. */
export const schema = builder.toSchema({ sortSchema: true });

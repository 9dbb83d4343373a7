// Must NOT compile (src/package.test.ts expects exactly one error, on the createUpload line).
import { createStufClient } from '@stuf/sdk';

await createStufClient({ url: 'http://localhost:4000' }).createUpload({ files: ['x'] });

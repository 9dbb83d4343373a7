#!/usr/bin/env node
// The `stuf` binary: runs the TypeScript sources through tsx (like `pnpm start` does for the server).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');

import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';

/**
 * Writes each operation's access events (upload, download links, token use) to the viewer's access history in one
 * append after the operation ran and before the response is sent — one storage write per request, however many
 * events it made.
 */
export function useAccessHistory(): Plugin<Context> {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn(async (args) => {
        try {
          return await executeFn(args);
        } finally {
          await (args.contextValue as Context).access.flush();
        }
      });
    },
  };
}

import { z } from 'zod';

/** `config/server_secrets.json`: shared by every replica on the bucket; never exposed through the API. */
export const serverSecretsSchema = z.object({
  schemaVersion: z.literal(1),
  revision: z.number().int().positive(),
  /** base64url, 32 random bytes: signs download URLs. */
  urlSigningKey: z.string().min(32),
  /** SHA-256 (hex) of the bootstrap admin token generated on first start; the token itself is never stored. */
  adminTokenSha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  createdAt: z.iso.datetime(),
});
export type ServerSecrets = z.infer<typeof serverSecretsSchema>;

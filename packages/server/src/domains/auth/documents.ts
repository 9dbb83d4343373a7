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
  /** base64url, 32 random bytes: signs session tokens and sign-in tickets, keys the code hashes (unless STUF_SESSION_SECRET). */
  sessionKey: z.string().min(32).optional(),
  /**
   * A development keyring for contact data, generated only when STUF_ENCRYPTION_KEYS is not set. Kept for decryption
   * after STUF_ENCRYPTION_KEYS is configured, until `stuf keys rotate` has moved everything to the configured keys.
   */
  encryptionKeys: z.array(z.object({ id: z.string(), key: z.string() })).optional(),
});
export type ServerSecrets = z.infer<typeof serverSecretsSchema>;

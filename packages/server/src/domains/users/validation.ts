import { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../../errors.js';
import { normalizeEmail, normalizePhone, type Role } from './documents.js';

const name = z.string().trim().min(1, 'Required').max(200, 'At most 200 characters');
const email = z
  .string()
  .trim()
  .max(254, 'At most 254 characters')
  .pipe(z.email('Not an email address'))
  .transform(normalizeEmail);
const phone = z
  .string()
  .transform(normalizePhone)
  .pipe(z.string().regex(/^\+?[0-9]{6,15}$/, 'Not a phone number (digits, optionally with a leading +, e.g. +41791234567)'));

/** Fields of a new user, normalized (email lower-cased, phone without spacing). */
export interface NewUserInput {
  name: string;
  email: string;
  phone: string;
  role: Role;
  accessExpiresAt: Date | null;
}

const newUserSchema = z.object({
  name,
  email,
  phone,
  role: z.enum(['admin', 'participant']),
  accessExpiresAt: z.date().nullable(),
});

const patchSchema = z.object({
  name: name.optional(),
  email: email.optional(),
  phone: phone.optional(),
});

function issuesOf(error: z.ZodError, prefix: (string | number)[]): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: issue.message }));
}

/** Validates and normalizes a new user; `ValidationError` with a path per problem. */
export function parseNewUser(input: unknown, prefix: (string | number)[] = ['input']): NewUserInput {
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(issuesOf(parsed.error, prefix));
  return parsed.data;
}

/** Validates the contact and name fields of an update (the others are typed by GraphQL). */
export function parseUserPatch(input: { name?: string | null; email?: string | null; phone?: string | null }, prefix: (string | number)[] = ['input']) {
  const parsed = patchSchema.safeParse({ name: input.name ?? undefined, email: input.email ?? undefined, phone: input.phone ?? undefined });
  if (!parsed.success) throw new ValidationError(issuesOf(parsed.error, prefix));
  return parsed.data;
}

/** Validation of a single email (sign-in); undefined when it is not an address. */
export function parseEmail(input: string): string | undefined {
  const parsed = email.safeParse(input);
  return parsed.success ? parsed.data : undefined;
}

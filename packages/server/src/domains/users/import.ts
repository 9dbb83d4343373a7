import { parse } from 'csv-parse/sync';
import { LimitExceededError, ValidationError, type ValidationIssue } from '../../errors.js';
import type { Actor } from '../journal/documents.js';
import { normalizeEmail, type UserDocument } from './documents.js';
import type { UsersService } from './service.js';
import { parseNewUser } from './validation.js';

/** Largest CSV accepted (read into memory to be validated whole before anything is written). */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

export type ImportRowStatus = 'CREATED' | 'WOULD_CREATE' | 'DUPLICATE' | 'INVALID';

export interface ImportRowReport {
  /** The row's line in the file (the header is line 1). */
  line: number;
  status: ImportRowStatus;
  userId: string | null;
  message: string | null;
  issues: ValidationIssue[];
}

export interface ImportReport {
  dryRun: boolean;
  total: number;
  created: number;
  rows: ImportRowReport[];
}

const COLUMNS: Record<string, 'name' | 'email' | 'phone' | 'role' | 'expiry'> = {
  name: 'name',
  email: 'email',
  phone: 'phone',
  role: 'role',
  expiry: 'expiry',
  expires: 'expiry',
  accessexpiresat: 'expiry',
};

/**
 * Imports users from CSV (header: name, email, phone, role, expiry — role `admin`/`participant`, default participant;
 * expiry an ISO date, optional). Every row is validated first; duplicates by email (against existing users and earlier
 * rows) are reported, never created twice. With `dryRun` nothing is written.
 */
export async function importUsersCsv(users: UsersService, actor: Actor, bytes: Buffer, dryRun: boolean): Promise<ImportReport> {
  if (bytes.length > MAX_IMPORT_BYTES) throw new LimitExceededError('FILE_SIZE', MAX_IMPORT_BYTES, `The CSV is larger than ${MAX_IMPORT_BYTES} bytes`, ['file']);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(bytes, { bom: true, info: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as unknown as typeof records;
  } catch (error) {
    throw new ValidationError([{ path: ['file'], message: `Not a readable CSV: ${(error as Error).message}` }]);
  }
  const [header, ...rows] = records;
  if (!header) throw new ValidationError([{ path: ['file'], message: 'The CSV is empty' }]);
  const columns = header.record.map((name) => COLUMNS[name.toLowerCase().replace(/[\s_-]/g, '')]);
  const missing = (['name', 'email', 'phone'] as const).filter((name) => !columns.includes(name));
  if (missing.length > 0) throw new ValidationError([{ path: ['file'], message: `Missing column(s): ${missing.join(', ')} (expected name, email, phone, role, expiry)` }]);

  const directory = await users.directory();
  const seen = new Map<string, number>();
  const documents: UserDocument[] = [];
  const report: ImportRowReport[] = rows.map(({ record, info }) => {
    const line = info.lines;
    const cell = (name: string) => record[columns.indexOf(name as never)] ?? '';
    const expiry = cell('expiry');
    const expiresAt = expiry ? new Date(expiry) : null;
    const issues: ValidationIssue[] = [];
    if (expiresAt && Number.isNaN(expiresAt.getTime())) issues.push({ path: ['rows', line, 'expiry'], message: 'Not a date (use ISO 8601, e.g. 2027-01-31)' });
    const role = (cell('role') || 'participant').toLowerCase();
    let input;
    try {
      input = parseNewUser({ name: cell('name'), email: cell('email'), phone: cell('phone'), role, accessExpiresAt: expiresAt && !Number.isNaN(expiresAt.getTime()) ? expiresAt : null }, ['rows', line]);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
    }
    if (!input || issues.length > 0) return { line, status: 'INVALID', userId: null, message: 'Invalid row', issues };
    const email = normalizeEmail(input.email);
    const earlier = seen.get(email);
    if (earlier !== undefined) return { line, status: 'DUPLICATE', userId: null, message: `Same email as line ${earlier}`, issues: [] };
    seen.set(email, line);
    const existing = directory.byEmail(email);
    if (existing) return { line, status: 'DUPLICATE', userId: existing.id, message: 'A user with this email exists already', issues: [] };
    const document = users.newDocument(input);
    documents.push(document);
    return { line, status: dryRun ? 'WOULD_CREATE' : 'CREATED', userId: document.id, message: null, issues: [] };
  });
  if (!dryRun && documents.length > 0) await users.createMany(actor, documents);
  return { dryRun, total: rows.length, created: dryRun ? 0 : documents.length, rows: report };
}

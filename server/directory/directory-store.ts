import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readDirectory, writeDirectory, type Directory } from '../home/directory.js';
import type { HomeLayout } from '../home/layout.js';

/**
 * Where the directory (firms, users, roles, certificates, revocations) and the CRL made from it are
 * kept: the home's directory.json and ca/crl.pem for one host (the embedded PGlite default), or
 * PostgreSQL's tables for several server processes and PBX nodes (pg-directory-store.ts). The admin
 * CLI writes through this port; the servers and the PBX renderer read through it.
 */
export interface DirectoryStore {
  readonly kind: 'file' | 'postgres';
  /** Human-readable place, for messages ("/srv/home/directory.json", "PostgreSQL"). */
  readonly where: string;
  read(): Promise<Directory>;
  /** Replaces the whole directory at once: a reader never sees half a change. */
  write(directory: Directory): Promise<void>;
  readCrl(): Promise<string | undefined>;
  writeCrl(pem: string): Promise<void>;
  close(): Promise<void>;
}

/** The home's files, as before PostgreSQL held the directory; watching them stays AccessControl's and the stack's. */
export class FileDirectoryStore implements DirectoryStore {
  readonly kind = 'file' as const;
  readonly where: string;

  constructor(private readonly layout: Pick<HomeLayout, 'directory' | 'crl'>) {
    this.where = layout.directory;
  }

  read(): Promise<Directory> {
    return Promise.resolve(readDirectory(this.layout.directory));
  }

  write(directory: Directory): Promise<void> {
    writeDirectory(this.layout.directory, directory);
    return Promise.resolve();
  }

  readCrl(): Promise<string | undefined> {
    return Promise.resolve(existsSync(this.layout.crl) ? readFileSync(this.layout.crl, 'utf8') : undefined);
  }

  writeCrl(pem: string): Promise<void> {
    const tmp = `${this.layout.crl}.tmp-${process.pid}`;
    writeFileSync(tmp, pem);
    // Rename, so Kamailio and the server never read half a CRL.
    renameSync(tmp, this.layout.crl);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * MD5, SHA1 and SHA256 of a file in one streaming pass, bounded by read_max, at most `concurrency` files at a time.
 * Reads go through libuv's thread pool; the event loop only sees 64 KiB chunks, so a large file never stalls it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface FileHashes {
  md5: string;
  sha1: string;
  sha256: string;
  /** 1 hashed, 0 not attempted (too large, not a regular file), -1 failed (unreadable, vanished). */
  hashed: 1 | 0 | -1;
}

export const NOT_HASHED: FileHashes = { md5: '', sha1: '', sha256: '', hashed: 0 };
export const HASH_FAILED: FileHashes = { md5: '', sha1: '', sha256: '', hashed: -1 };

export class FileHasher {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly readMax: number,
    private readonly concurrency = 4,
  ) {}

  /** Hash `path` (a Buffer, so any bytes work) whose size is `size`. Never throws. */
  async hash(path: Buffer, size: number): Promise<FileHashes> {
    if (size > this.readMax) return NOT_HASHED;
    await this.acquire();
    try {
      return await this.digest(path);
    } catch {
      return HASH_FAILED;
    } finally {
      this.release();
    }
  }

  private digest(path: Buffer): Promise<FileHashes> {
    return new Promise((resolve, reject) => {
      const md5 = createHash('md5');
      const sha1 = createHash('sha1');
      const sha256 = createHash('sha256');
      let total = 0;
      const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
      stream.on('data', (chunk) => {
        const data = chunk as Buffer;
        total += data.length;
        if (total > this.readMax) {
          stream.destroy();
          resolve(NOT_HASHED); // grew past read_max while being read
          return;
        }
        md5.update(data);
        sha1.update(data);
        sha256.update(data);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve({ md5: md5.digest('hex'), sha1: sha1.digest('hex'), sha256: sha256.digest('hex'), hashed: 1 }));
    });
  }

  private acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => resolve()));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { DockerEngine } from './docker-engine.js';
import type { DataDirTemplate } from './docker-service.js';

/** Where templates are kept: `LIFEBOAT_CACHE_DIR`, else `~/.cache/lifeboat`. */
function cacheDir(): string {
  return join(process.env.LIFEBOAT_CACHE_DIR ?? join(homedir(), '.cache', 'lifeboat'), 'templates');
}

/**
 * A fresh primary's data directory, kept as a tar per image id (and initdb settings, in `key`):
 * restoring it into a new container takes a fraction of initdb's second. Best effort: a cache that
 * cannot be read or written just means initdb runs.
 */
export function dataDirTemplate(engine: DockerEngine, imageId: string, key: string): DataDirTemplate {
  const file = join(cacheDir(), `${imageId.replace(/^sha256:/, '').slice(0, 24)}-${key}.tar`);
  return {
    async restore(containerId, parent) {
      try {
        await stat(file);
      } catch {
        return false;
      }
      await engine.dockerode.getContainer(containerId).putArchive(createReadStream(file), { path: parent });
      return true;
    },
    async save(containerId, dir) {
      await mkdir(cacheDir(), { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        const archive = await engine.dockerode.getContainer(containerId).getArchive({ path: dir });
        await pipeline(archive, createWriteStream(tmp, { mode: 0o600 }));
        await rename(tmp, file);
      } finally {
        await rm(tmp, { force: true });
      }
    },
  };
}

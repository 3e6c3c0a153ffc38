import { templateKey } from '../template-cache.js';
import type { DockerEngine } from './docker-engine.js';

/** Label of a template image: the key it was made for. */
export const TEMPLATE_LABEL = 'lifeboat.template';
/** Label of a template image: the directory of the PostgreSQL binaries in it (spares a lookup). */
const PG_BIN_LABEL = 'lifeboat.pg-bin';
const TEMPLATE_REPO = 'lifeboat/lab-template';

/**
 * The template of a lab image: an image made from it once, whose `/var/lib/lifeboat/data` is a
 * fresh primary's data directory (initdb's output, never started). A container created from it has
 * the data directory in an image layer: nothing is copied at start (overlayfs copies a file up only
 * when the server first writes it), where restoring a 40 MB tar into each container took seconds.
 */
export interface DataDirTemplate {
  /** The image the lab's containers are created from: the template image when there is one, else the lab image. */
  readonly image: string;
  /** Whether `image` is the template image (its containers hold the template data directory). */
  readonly ready: boolean;
  /** The binaries' directory recorded in the template image, if any. */
  readonly pgBin: string | undefined;
  /** Makes the template image from a container of the lab image holding only initdb's data directory (once). */
  save(containerId: string, pgBin: string): Promise<void>;
}

/**
 * Looks up the template image for `image` (by id) and initdb `settings`. Its name is
 * `lifeboat/lab-template:<image id>-<key>`; `docker image rm` of it (or of every image labelled
 * `lifeboat.template`) clears it.
 */
export async function dataDirTemplate(engine: DockerEngine, image: string, imageId: string, settings: unknown): Promise<DataDirTemplate> {
  const key = templateKey({ imageId, settings });
  const name = `${TEMPLATE_REPO}:${imageId.replace(/^sha256:/, '').slice(0, 12)}-${key}`;
  const found = await engine.dockerode
    .getImage(name)
    .inspect()
    .then((info) => (info.Config?.Labels?.[TEMPLATE_LABEL] === key ? info : undefined))
    .catch(() => undefined);
  return {
    image: found ? name : image,
    ready: found !== undefined,
    pgBin: found?.Config?.Labels?.[PG_BIN_LABEL] || undefined,
    async save(containerId, pgBin) {
      // The container's labels (its run) must not stick to the image; the key and binaries must.
      const labels = { 'lifeboat.run-id': '', 'lifeboat.service': '', [TEMPLATE_LABEL]: key, [PG_BIN_LABEL]: pgBin };
      const changes = Object.entries(labels).map(([k, v]) => `LABEL ${k}=${JSON.stringify(v)}`);
      const made = (await engine.dockerode.getContainer(containerId).commit({ changes, pause: true })) as { Id: string };
      // Two labs making it at once: the name given first stays, the other image goes (were both to
      // tag at the same instant, the loser's image would only be left untagged).
      const taken = await engine.dockerode
        .getImage(name)
        .inspect()
        .then(() => true)
        .catch(() => false);
      if (taken) {
        await engine.dockerode.getImage(made.Id).remove().catch(() => {});
        return;
      }
      const [repo, tag] = name.split(':') as [string, string];
      await engine.dockerode.getImage(made.Id).tag({ repo, tag });
    },
  };
}

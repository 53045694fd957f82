/**
 * Walking and copying artifact folders without following symbolic links out of them.
 *
 * A folder is first scanned into a list of {@link TreeNode}s (which checks every link), then
 * copied from that list, so a refused link stops a save before anything is written.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import * as fsp from "node:fs/promises";
import path from "node:path";
import { errnoCode, ioError, StoreError } from "./errors.js";
import { settleLimited } from "./limit.js";

/** How many files are copied at once. */
const COPY_CONCURRENCY = 16;

/** One entry of a scanned folder. */
export interface TreeNode {
  /** POSIX path relative to the scanned root; `""` for the root itself. */
  rel: string;
  /** A folder, a regular file or a symbolic link. */
  kind: "dir" | "file" | "link";
  /** Size in bytes of a regular file; 0 otherwise. */
  bytes: number;
  /** A link's target, relative to the link's folder and normalized; it stays inside the root. */
  target?: string;
  /**
   * Where a folder or file is copied from when that is not `<root>/<rel>`: the real path that a
   * followed symbolic link leads to (see {@link scanArtifact}).
   */
  from?: string;
}

/** `true` when `p` is `root` or below it (both absolute). */
export function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** A name for a temporary sibling of `base` that listings skip (it starts with a dot). */
export function tempName(base: string, kind: string): string {
  return `.${base}.dstack-${kind}-${randomBytes(6).toString("hex")}`;
}

/**
 * Checks the symbolic link `linkAbs` found below `root` (a real path) and returns its target,
 * relative to the link's folder, normalized; `{ refused }` (`<label>/<path> -> <target>`) when the
 * target leaves `root`.
 */
async function linkTarget(
  root: string,
  linkAbs: string,
  label: string,
): Promise<string | { refused: { name: string; text: string } }> {
  const text = await fsp.readlink(linkAbs);
  const dir = path.dirname(linkAbs);
  const lexical = path.resolve(dir, text);
  if (isInside(root, lexical)) return path.relative(dir, lexical) || ".";
  // An absolute target written through a symlinked prefix (/home -> /data/home) is still inside.
  const real = await fsp.realpath(lexical).catch(() => undefined);
  if (real !== undefined && isInside(root, real)) return path.relative(dir, real) || ".";
  const rel = path.relative(root, linkAbs).split(path.sep).join("/");
  return { refused: { name: `${label}/${rel}`, text } };
}

/**
 * Lists `root` (a real path: a folder or a regular file) in pre-order, a folder before its
 * content, names sorted, without following symbolic links. Every link must stay inside `root`;
 * sockets, FIFOs and devices are left out.
 *
 * @param label - how `root` is named in messages, e.g. the artifact path `datasets/dataset1`.
 * @throws StoreError `invalid` naming every link that leaves `root`, in one message; `io` when
 *   reading fails.
 */
export async function scanTree(root: string, label: string): Promise<TreeNode[]> {
  try {
    const st = await fsp.lstat(root);
    if (st.isFile()) return [{ rel: "", kind: "file", bytes: st.size }];
    if (!st.isDirectory()) {
      throw new StoreError("invalid", `${label}: neither a folder nor a regular file`);
    }
    const out: TreeNode[] = [{ rel: "", kind: "dir", bytes: 0 }];
    const refused: { name: string; text: string }[] = [];
    const walk = async (abs: string, rel: string): Promise<void> => {
      const entries = await fsp.readdir(abs, { withFileTypes: true });
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const nodes = await Promise.all(
        entries.map(async (d): Promise<TreeNode | undefined> => {
          const childAbs = path.join(abs, d.name);
          const childRel = rel === "" ? d.name : `${rel}/${d.name}`;
          if (d.isDirectory()) return { rel: childRel, kind: "dir", bytes: 0 };
          if (d.isFile()) {
            return { rel: childRel, kind: "file", bytes: (await fsp.lstat(childAbs)).size };
          }
          if (d.isSymbolicLink()) {
            const target = await linkTarget(root, childAbs, label);
            if (typeof target !== "string") {
              refused.push(target.refused);
              return undefined;
            }
            return { rel: childRel, kind: "link", bytes: 0, target };
          }
          return undefined;
        }),
      );
      for (const node of nodes) {
        if (node === undefined) continue;
        out.push(node);
        if (node.kind === "dir") await walk(path.join(root, node.rel), node.rel);
      }
    };
    await walk(root, "");
    // One order whatever the file system's readdir gives: by path.
    refused.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const fix =
      "only links that stay inside an artifact folder are kept (replace the link with a copy, or save what it points at as an artifact of its own)";
    const [first] = refused;
    if (refused.length === 1 && first) {
      throw new StoreError(
        "invalid",
        `${first.name}: a symbolic link to ${JSON.stringify(first.text)}, outside ${JSON.stringify(label)}; ${fix}`,
      );
    }
    if (refused.length > 1) {
      throw new StoreError(
        "invalid",
        `${label}: ${refused.length} symbolic links lead outside ${JSON.stringify(label)}: ${refused.map((r) => `${r.name} -> ${r.text}`).join(", ")}; ${fix}`,
      );
    }
    return out;
  } catch (e) {
    throw ioError(`cannot read ${label}`, e);
  }
}

/** What {@link scanArtifact} found: what to copy, and the links left out. */
export interface ArtifactScan {
  /** The nodes to copy, as {@link copyTree} takes them. */
  nodes: TreeNode[];
  /** Each link left out, as `<label>/<path> -> <its target as written>` (a note for people). */
  refused: string[];
}

/**
 * Lists an artifact folder (or file) `root` of the repository `repo` (both real paths) for
 * saving, under one policy for symbolic links:
 *
 * - a link that stays inside `root` is kept as a link (its target made relative);
 * - a link to elsewhere in the repository is followed: what it points at is copied in its place
 *   (as `actions/upload-artifact` does with every link), links below it followed the same way;
 * - a link that leads out of the repository, points nowhere, or loops is left out and named in
 *   `refused`; everything else is still listed.
 *
 * @throws StoreError `invalid` when `root` is neither a folder nor a regular file; `io` when
 *   reading fails.
 */
export async function scanArtifact(
  root: string,
  label: string,
  repo: string,
): Promise<ArtifactScan> {
  const refused: string[] = [];
  try {
    const st = await fsp.lstat(root);
    if (st.isFile()) return { nodes: [{ rel: "", kind: "file", bytes: st.size }], refused };
    if (!st.isDirectory()) {
      throw new StoreError("invalid", `${label}: neither a folder nor a regular file`);
    }
    const out: TreeNode[] = [{ rel: "", kind: "dir", bytes: 0 }];
    const named = (rel: string) => (rel === "" ? label : `${label}/${rel}`);
    // `followed`: below a followed link, where links are followed or refused, never kept.
    const walk = async (
      abs: string,
      rel: string,
      followed: boolean,
      chain: ReadonlySet<string>,
    ) => {
      const entries = await fsp.readdir(abs, { withFileTypes: true });
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const d of entries) {
        const childAbs = path.join(abs, d.name);
        const childRel = rel === "" ? d.name : `${rel}/${d.name}`;
        const from = followed ? { from: childAbs } : {};
        if (d.isDirectory()) {
          out.push({ rel: childRel, kind: "dir", bytes: 0, ...from });
          await walk(childAbs, childRel, followed, chain);
        } else if (d.isFile()) {
          out.push({
            rel: childRel,
            kind: "file",
            bytes: (await fsp.lstat(childAbs)).size,
            ...from,
          });
        } else if (d.isSymbolicLink()) {
          const text = await fsp.readlink(childAbs);
          const lexical = path.resolve(abs, text);
          const real = await fsp.realpath(lexical).catch(() => undefined);
          if (
            !followed &&
            (isInside(root, lexical) || (real !== undefined && isInside(root, real)))
          ) {
            const inside = isInside(root, lexical) ? lexical : (real as string);
            out.push({
              rel: childRel,
              kind: "link",
              bytes: 0,
              target: path.relative(abs, inside) || ".",
            });
            continue;
          }
          if (real === undefined || !isInside(repo, real)) {
            refused.push(
              `${named(childRel)} -> ${text}${real === undefined ? " (points nowhere)" : ""}`,
            );
            continue;
          }
          const target = await fsp.stat(real);
          if (target.isFile()) {
            out.push({ rel: childRel, kind: "file", bytes: target.size, from: real });
          } else if (target.isDirectory()) {
            if (chain.has(real) || isInside(real, root)) {
              refused.push(`${named(childRel)} -> ${text} (a loop)`);
              continue;
            }
            out.push({ rel: childRel, kind: "dir", bytes: 0, from: real });
            await walk(real, childRel, true, new Set(chain).add(real));
          }
        }
      }
    };
    await walk(root, "", false, new Set([root]));
    return { nodes: out, refused };
  } catch (e) {
    throw ioError(`cannot read ${label}`, e);
  }
}

/** Files (regular files and links) and bytes of scanned nodes. */
export function treeStats(nodes: readonly TreeNode[]): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const n of nodes) {
    if (n.kind === "dir") continue;
    files++;
    bytes += n.bytes;
  }
  return { files, bytes };
}

/**
 * Copies what {@link scanTree} listed from `srcRoot` to `dest` (which must not exist):
 * folders, then files (copy-on-write where the file system can; permission bits kept), then
 * links as links.
 */
export async function copyTree(
  srcRoot: string,
  nodes: readonly TreeNode[],
  dest: string,
): Promise<void> {
  const at = (base: string, rel: string) => (rel === "" ? base : path.join(base, rel));
  for (const n of nodes) if (n.kind === "dir") await fsp.mkdir(at(dest, n.rel));
  const files = nodes.filter((n) => n.kind === "file");
  await settleLimited(files, COPY_CONCURRENCY, (n) =>
    fsp.copyFile(n.from ?? at(srcRoot, n.rel), at(dest, n.rel), constants.COPYFILE_FICLONE),
  );
  for (const n of nodes) {
    if (n.kind === "link") await fsp.symlink(n.target ?? ".", at(dest, n.rel));
  }
}

/**
 * Copies `src` to `dest` following symbolic links, each of which must resolve inside `within`
 * (a real path). Used on download for a link whose target lies outside the part downloaded.
 * A dangling link copies nothing.
 *
 * @throws StoreError `invalid` on a link that leaves `within` or a link loop.
 */
export async function copyFollowing(
  src: string,
  dest: string,
  within: string,
  label: string,
  chain: ReadonlySet<string> = new Set(),
): Promise<{ files: number; bytes: number }> {
  let real: string;
  try {
    real = await fsp.realpath(src);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return { files: 0, bytes: 0 };
    throw e;
  }
  if (!isInside(within, real)) {
    throw new StoreError("invalid", `${label}: a symbolic link that leaves the run's artifacts`);
  }
  if (chain.has(real)) throw new StoreError("invalid", `${label}: a symbolic link loop`);
  const st = await fsp.stat(real);
  if (st.isFile()) {
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    await fsp.copyFile(real, dest, constants.COPYFILE_FICLONE);
    return { files: 1, bytes: st.size };
  }
  if (!st.isDirectory()) return { files: 0, bytes: 0 };
  await fsp.mkdir(dest, { recursive: true });
  const inner = new Set(chain).add(real);
  let files = 0;
  let bytes = 0;
  for (const name of (await fsp.readdir(real)).sort()) {
    const r = await copyFollowing(
      path.join(real, name),
      path.join(dest, name),
      within,
      label,
      inner,
    );
    files += r.files;
    bytes += r.bytes;
  }
  return { files, bytes };
}

/**
 * Moves everything in `src` into the existing folder `dest`: files and links replace what is
 * there (each `rename` is atomic), folders are moved whole when new and merged when they exist.
 * An existing folder reached through a link is merged into.
 *
 * @throws StoreError `invalid` where a file would replace a folder or the other way round.
 */
export async function mergeInto(src: string, dest: string): Promise<void> {
  for (const d of await fsp.readdir(src, { withFileTypes: true })) {
    const s = path.join(src, d.name);
    const t = path.join(dest, d.name);
    const existing = await fsp.stat(t).catch((e) => {
      if (errnoCode(e) === "ENOENT") return undefined;
      throw e;
    });
    if (d.isDirectory()) {
      if (existing === undefined) {
        await fsp.rm(t, { force: true }); // a dangling link in the way
        await fsp.rename(s, t);
      } else if (existing.isDirectory()) {
        await mergeInto(s, t);
      } else {
        throw new StoreError(
          "invalid",
          `cannot download into ${t}: it is a file, and the artifact has a folder there`,
        );
      }
    } else if (existing?.isDirectory()) {
      throw new StoreError(
        "invalid",
        `cannot download into ${t}: it is a folder, and the artifact has a file there`,
      );
    } else {
      await fsp.rename(s, t);
    }
  }
}

/**
 * Azurite, Microsoft's blob storage emulator, run as a child process ({@link startAzurite}): the
 * blob store behind the Actions results-service fake (`results-service.ts`).
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Azurite's well-known development account name. */
export const AZURITE_ACCOUNT_NAME = "devstoreaccount1";

/** Azurite's well-known development account key (public; it only works against the emulator). */
export const AZURITE_ACCOUNT_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** How long {@link startAzurite} waits for Azurite to listen. */
const AZURITE_START_TIMEOUT_MS = 30_000;
/** How long a stop waits after SIGTERM before SIGKILL. */
const AZURITE_STOP_TIMEOUT_MS = 10_000;

/** A running Azurite blob service, from {@link startAzurite}. */
export interface Azurite {
  /** The blob endpoint, path-style: `http://127.0.0.1:<port>/devstoreaccount1`. */
  blobUrl: string;
  /** The account name (Azurite's well-known one). */
  accountName: "devstoreaccount1";
  /** The account key (Azurite's well-known one). */
  accountKey: string;
  /** Stops Azurite (SIGTERM, then waits for it to exit) and removes its data folder. */
  stop(): Promise<void>;
}

/**
 * Starts Azurite's blob service (`azurite-blob` from this repository's `node_modules`) on
 * 127.0.0.1 and a free port, with its data in a fresh temporary folder. Resolves once it
 * listens; a port taken between finding it and Azurite binding it is retried once with another.
 */
export async function startAzurite(): Promise<Azurite> {
  const bin = findAzuriteBin();
  try {
    return await startAzuriteOnce(bin);
  } catch (error) {
    if (error instanceof AzuriteStartError && error.addressInUse)
      return await startAzuriteOnce(bin);
    throw error;
  }
}

/** Why Azurite did not start; `addressInUse` when its port was taken. */
class AzuriteStartError extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
    this.name = "AzuriteStartError";
  }
}

/** `node_modules/.bin/azurite-blob` in the nearest folder at or above this file that has it. */
function findAzuriteBin(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, "node_modules", ".bin", "azurite-blob");
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("azurite-blob not found in any node_modules/.bin above");
    dir = parent;
  }
}

/** A port that was free a moment ago (listen on port 0, read it, close). */
async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no port assigned"))));
    });
  });
}

/** Waits for a child to exit; resolves at once when it already has. */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function startAzuriteOnce(bin: string): Promise<Azurite> {
  const port = await freePort();
  const location = await fsp.mkdtemp(path.join(os.tmpdir(), "azurite-"));
  // biome-ignore format: one flag per line reads better
  const args = [
    bin,
    "--blobHost", "127.0.0.1",
    "--blobPort", String(port),
    "--location", location,
    "--silent", "--loose", "--skipApiVersionCheck", "--disableTelemetry",
  ];
  const child = spawn(process.execPath, args, {
    cwd: location,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new AzuriteStartError(`Azurite did not start in time:\n${output}`, false)),
      AZURITE_START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/successfully listens on/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(
        new AzuriteStartError(
          `Azurite exited before listening (code ${code}, signal ${signal}):\n${output}`,
          /EADDRINUSE/.test(output),
        ),
      );
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const done = exited(child);
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), AZURITE_STOP_TIMEOUT_MS);
      await done;
      clearTimeout(timer);
    }
    await fsp.rm(location, { recursive: true, force: true });
  };
  try {
    await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    blobUrl: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT_NAME}`,
    accountName: AZURITE_ACCOUNT_NAME,
    accountKey: AZURITE_ACCOUNT_KEY,
    stop,
  };
}

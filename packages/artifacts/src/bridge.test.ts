import { execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { PYTHON_PATH } from "@dstack/python";
import { leftovers, makeJob, readTree, wordsRandom, writeTree } from "@dstack/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ArtifactsBridge, defaultArtifactPath, startArtifactsBridge } from "./bridge.js";
import { LocalStore } from "./local-store.js";
import type { ArtifactStore } from "./types.js";

let tmp = "";
let store: LocalStore;
let repo: string;
let bridge: ArtifactsBridge;
let jobRun: string;

/**
 * Each test: a store with an earlier run `sharp-shrimp-1` whose artifacts hold `output/my_model`
 * and which is tagged `my_tag`; the job's run (`brave-otter-1`) with its bridge; a repository
 * holding `datasets/dataset1`.
 */
beforeEach(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dstack-bridge-"));
  repo = path.join(tmp, "repo");
  writeTree(repo, {
    "datasets/dataset1/a.csv": "x,y\n1,2\n",
    "datasets/dataset1/sub/b.csv": "z\n",
    "output/my_model/weights.bin": "WEIGHTS",
    "output/my_model/config.json": "{}",
    "output/other.txt": "other",
  });
  store = new LocalStore({ home: path.join(tmp, "home") });
  const earlier = await store.createRun({
    workflow: "train",
    job: makeJob(),
    repoDir: repo,
    random: wordsRandom("sharp", "shrimp"),
  });
  await store.saveArtifacts(earlier.runName, { repoDir: repo, paths: ["output"] });
  await store.updateRun(earlier.runName, { status: "done", finishedAt: new Date().toISOString() });
  await store.setTag("my_tag", earlier.runName);
  fs.rmSync(path.join(repo, "output"), { recursive: true });
  const job = await store.createRun({
    workflow: "train",
    job: makeJob(),
    repoDir: repo,
    random: wordsRandom("brave", "otter"),
  });
  jobRun = job.runName;
  bridge = await startArtifactsBridge({ store, runName: jobRun });
});

afterEach(async () => {
  await bridge.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs a Python script file with the real interpreter, as the executor would. */
function python(
  script: string,
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = path.join(tmp, `script-${Math.random().toString(36).slice(2)}.py`);
  fs.writeFileSync(file, script);
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PYTHONPATH: PYTHON_PATH,
    PYTHONDONTWRITEBYTECODE: "1",
    DSTACK_RUN_NAME: jobRun,
    ...bridge.env,
    ...options.env,
  };
  return new Promise((resolve) => {
    // Asynchronous on purpose: the bridge answers from this process's event loop.
    execFile(
      "python3",
      [file],
      { cwd: options.cwd ?? repo, env: env as NodeJS.ProcessEnv },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Sends raw text to the bridge and reads its JSON answer. */
function rawRequest(
  text: string,
  { end = false, socketPath = bridge.socketPath } = {},
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    let data = "";
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => {
      data += d;
    });
    socket.on("end", () => {
      try {
        resolve(JSON.parse(data));
      } catch (e) {
        reject(e);
      }
    });
    socket.on("error", reject);
    if (end) socket.end(text);
    else socket.write(text);
  });
}

describe("the seed's examples, verbatim, from a real Python", () => {
  it("upload: as an artifact of the current run, and as a new run tagged my_tag", async () => {
    const r = await python(`from dstack import artifacts

# Uploads local_path as an artifact of the current run
artifacts.upload(local_path="datasets/dataset1")

# Uploads local_path as an artifact of a new run tagged as my_tag and saves it as artifact_path
artifacts.upload(local_path="datasets/dataset1", artifact_path="data", tag="my_tag")
`);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect((await store.getRun(jobRun)).artifacts).toEqual([
      { path: "datasets/dataset1", files: 2, bytes: 10 },
    ]);
    expect(readTree(store.artifactsDir(jobRun))).toEqual({
      "datasets/dataset1/a.csv": "x,y\n1,2\n",
      "datasets/dataset1/sub/b.csv": "z\n",
    });
    const tagged = await store.resolveRef({ tag: "my_tag" });
    expect(tagged.runName).not.toBe(jobRun);
    expect(tagged).toMatchObject({
      workflow: null,
      job: null,
      status: "done",
      parentRun: jobRun,
      repoDir: repo,
      artifacts: [{ path: "data", files: 2, bytes: 10 }],
    });
    expect(readTree(store.artifactsDir(tagged.runName))).toEqual({
      "data/a.csv": "x,y\n1,2\n",
      "data/sub/b.csv": "z\n",
    });
  });

  it("download(run=...): all files, same layout, into the current folder", async () => {
    const work = path.join(tmp, "work");
    fs.mkdirSync(work);
    const r = await python(
      `from dstack import artifacts

# Downloads all artifact files of a run
artifacts.download(run="sharp-shrimp-1")
`,
      { cwd: work },
    );
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(readTree(work)).toEqual({
      "output/my_model/config.json": "{}",
      "output/my_model/weights.bin": "WEIGHTS",
      "output/other.txt": "other",
    });
  });

  it("download(tag=..., artifact_path=..., local_path=...): the files of output/my_model in ./my_model", async () => {
    const work = path.join(tmp, "work");
    fs.mkdirSync(work);
    const r = await python(
      `from dstack import artifacts

# Downloads artifact files from artifact_path and saves them to local_path
artifacts.download(tag="my_tag", artifact_path="output/my_model", local_path="./my_model")
`,
      { cwd: work },
    );
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(readTree(work)).toEqual({
      "my_model/config.json": "{}",
      "my_model/weights.bin": "WEIGHTS",
    });
  });

  it("a round trip: upload with a tag, then download it by that tag", async () => {
    const r = await python(`from dstack import artifacts
artifacts.upload(local_path="datasets/dataset1", artifact_path="data", tag="my_tag")
artifacts.download(tag="my_tag", artifact_path="data", local_path="copy")
`);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(readTree(path.join(repo, "copy"))).toEqual({
      "a.csv": "x,y\n1,2\n",
      "sub/b.csv": "z\n",
    });
    expect(leftovers(repo)).toEqual([]);
  });

  it("uploads from several threads at once all land", async () => {
    writeTree(repo, { "p0/f": "0", "p1/f": "1", "p2/f": "2", "p3/f": "3" });
    const r = await python(`import threading
from dstack import artifacts
threads = [threading.Thread(target=artifacts.upload, kwargs={"local_path": "p%d" % i}) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
`);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect((await store.getRun(jobRun)).artifacts.map((a) => a.path)).toEqual([
      "p0",
      "p1",
      "p2",
      "p3",
    ]);
  });
});

describe("errors reach Python as the seed's exceptions, with the store's message", () => {
  const cases = [
    {
      name: "an unknown tag",
      call: 'artifacts.download(tag="my_tg")',
      error: "ArtifactsDownloadError",
      message: /^no tag "my_tg"; did you mean "my_tag"\? \(tags: my_tag\)$/,
    },
    {
      name: "an unknown run",
      call: 'artifacts.download(run="sharp-shrmp-1")',
      error: "ArtifactsDownloadError",
      message: /^no run "sharp-shrmp-1"; did you mean "sharp-shrimp-1"\? \(recent runs: /,
    },
    {
      name: "an unknown artifact path",
      call: 'artifacts.download(tag="my_tag", artifact_path="output/my_modl")',
      error: "ArtifactsDownloadError",
      message:
        /^run sharp-shrimp-1 has no artifact "output\/my_modl"; its artifact paths are: output$/,
    },
    {
      name: "neither run nor tag",
      call: "artifacts.download()",
      error: "ArtifactsDownloadError",
      message: /^give run= or tag= to say whose artifacts to download$/,
    },
    {
      name: "both run and tag",
      call: 'artifacts.download(run="sharp-shrimp-1", tag="my_tag")',
      error: "ArtifactsDownloadError",
      message: /^give run= or tag=, not both$/,
    },
    {
      name: "a download artifact path that escapes",
      call: 'artifacts.download(run="sharp-shrimp-1", artifact_path="../x")',
      error: "ArtifactsDownloadError",
      message: /^artifact_path: "\.\.\/x" leaves the repository/,
    },
    {
      name: "an absolute download artifact path",
      call: 'artifacts.download(run="sharp-shrimp-1", artifact_path="/etc")',
      error: "ArtifactsDownloadError",
      message: /^artifact_path: "\/etc" is absolute/,
    },
    {
      name: "a missing local_path",
      call: 'artifacts.upload(local_path="datasets/missing")',
      error: "ArtifactsUploadError",
      message:
        /^local_path "datasets\/missing" does not exist \(looked for .*\/repo\/datasets\/missing\)$/,
    },
    {
      name: "an upload artifact path that escapes",
      call: 'artifacts.upload(local_path="datasets/dataset1", artifact_path="../x")',
      error: "ArtifactsUploadError",
      message: /^artifact_path: "\.\.\/x" leaves the repository/,
    },
    {
      name: "an invalid tag name",
      call: 'artifacts.upload(local_path="datasets/dataset1", tag="my tag")',
      error: "ArtifactsUploadError",
      message: /^tag "my tag" is not a valid tag name/,
    },
    {
      name: "the whole working folder without an artifact path",
      call: 'artifacts.upload(local_path=".")',
      error: "ArtifactsUploadError",
      message: /^local_path "\." is the whole working folder; give artifact_path too/,
    },
    {
      name: "a local_path that is not a string",
      call: "artifacts.upload(local_path=3)",
      error: "ArtifactsUploadError",
      message: /^local_path must be a path/,
    },
  ];
  it.each(cases)("$name", async ({ call, error, message }) => {
    const r = await python(`import json
from dstack import artifacts, DstackError
try:
    ${call}
    print(json.dumps({"error": None}))
except DstackError as e:
    print(json.dumps({"error": type(e).__name__, "message": str(e), "dstack": isinstance(e, DstackError)}))
`);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ error, dstack: true });
    expect(out.message).toMatch(message);
  });

  it("without DSTACK_ARTIFACTS_SOCKET: DstackError itself", async () => {
    const r = await python(
      `import json
from dstack import artifacts, DstackError
for call in (lambda: artifacts.upload(local_path="datasets/dataset1"), lambda: artifacts.download(tag="my_tag")):
    try:
        call()
    except DstackError as e:
        print(json.dumps([type(e).__name__, str(e)]))
`,
      { env: { DSTACK_ARTIFACTS_SOCKET: undefined } },
    );
    expect(r.stderr).toBe("");
    const message =
      "the dstack Artifacts API works inside a job started by dstack run or dstack/run-python (DSTACK_ARTIFACTS_SOCKET is not set)";
    expect(
      r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([
      ["DstackError", message],
      ["DstackError", message],
    ]);
  });

  it("a socket nobody listens on: the operation's error, naming the socket", async () => {
    const r = await python(
      `from dstack import artifacts
try:
    artifacts.upload(local_path="datasets/dataset1")
except artifacts.ArtifactsUploadError as e:
    print(e)
`,
      { env: { DSTACK_ARTIFACTS_SOCKET: path.join(tmp, "gone.sock") } },
    );
    expect(r.stdout).toMatch(/^cannot reach the dstack process running this job at .*gone\.sock/);
  });

  it("an uncaught error is an ordinary Python traceback with the seed's exception", async () => {
    const r = await python('from dstack import artifacts\nartifacts.download(tag="nope")\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/dstack\.errors\.ArtifactsDownloadError: no tag "nope"/);
  });
});

describe("the dstack Python module", () => {
  it("has the seed's signatures, errors and docstrings", async () => {
    const r = await python(`import inspect, json
import dstack
from dstack import artifacts
from dstack.artifacts import ArtifactsDownloadError, ArtifactsUploadError, DstackError
print(json.dumps({
    "upload": str(inspect.signature(artifacts.upload)),
    "download": str(inspect.signature(artifacts.download)),
    "same": [dstack.ArtifactsUploadError is ArtifactsUploadError,
             dstack.ArtifactsDownloadError is ArtifactsDownloadError,
             dstack.DstackError is DstackError, dstack.artifacts is artifacts],
    "subclasses": [issubclass(ArtifactsUploadError, DstackError),
                   issubclass(ArtifactsDownloadError, DstackError),
                   issubclass(DstackError, Exception)],
    "docs": [artifacts.upload.__doc__.splitlines()[0], artifacts.download.__doc__.splitlines()[0]],
}))
`);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({
      upload: "(local_path: str, artifact_path: Optional[str] = None, tag: Optional[str] = None)",
      download:
        "(run: Optional[str] = None, tag: Optional[str] = None, artifact_path: Optional[str] = None, local_path: Optional[str] = None)",
      same: [true, true, true, true],
      subclasses: [true, true, true],
      docs: [
        "Uploads files located at `local_path` as the artifacts of the current run.",
        "Downloads artifact files of a run or a tag.",
      ],
    });
  });

  it("parses as Python 3.8 and uses only the standard library", async () => {
    const r = await python(`import ast, pathlib, sys
root = pathlib.Path(${JSON.stringify(PYTHON_PATH)}) / "dstack"
files = sorted(root.rglob("*.py"))
imported = set()
for f in files:
    tree = ast.parse(f.read_text(), filename=str(f), feature_version=(3, 8))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add(node.module.split(".")[0])
print(len(files), sorted(m for m in imported if m != "dstack" and m not in sys.stdlib_module_names))
`);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("5 []");
  });
});

describe("the bridge", () => {
  it("lives in a private folder with a short path, which close() removes", async () => {
    const dir = path.dirname(bridge.socketPath);
    expect(bridge.env).toEqual({ DSTACK_ARTIFACTS_SOCKET: bridge.socketPath });
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(Buffer.byteLength(bridge.socketPath)).toBeLessThanOrEqual(103);
    const other = await startArtifactsBridge({ store, runName: jobRun });
    expect(other.socketPath).not.toBe(bridge.socketPath);
    await other.close();
    await other.close();
    expect(fs.existsSync(path.dirname(other.socketPath))).toBe(false);
  });

  it("close() ends idle connections and still answers the request being handled", async () => {
    let entered = () => {};
    const enteredP = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The store, with a download that waits at a gate once it has started.
    const gated: ArtifactStore = Object.assign(Object.create(store) as LocalStore, {
      downloadArtifacts: async (...args: Parameters<ArtifactStore["downloadArtifacts"]>) => {
        entered();
        await gate;
        return store.downloadArtifacts(...args);
      },
    });
    const own = await startArtifactsBridge({ store: gated, runName: jobRun });
    const idle = net.createConnection(own.socketPath);
    idle.on("error", () => undefined);
    const idleClosed = new Promise((resolve) => idle.once("close", resolve));
    await new Promise((resolve) => idle.once("connect", resolve));
    const request = { op: "download", run: "sharp-shrimp-1", cwd: path.join(tmp, "late") };
    const pending = rawRequest(`${JSON.stringify(request)}\n`, { socketPath: own.socketPath });
    await enteredP;
    const closing = own.close();
    await idleClosed;
    release();
    expect(await pending).toMatchObject({ ok: true, files: 3 });
    await closing;
    expect(fs.existsSync(path.dirname(own.socketPath))).toBe(false);
  });

  it("refuses a socket folder whose path is too long", async () => {
    const deep = path.join(tmp, "d".repeat(100));
    fs.mkdirSync(deep);
    await expect(startArtifactsBridge({ store, runName: jobRun, socketDir: deep })).rejects.toThrow(
      /over the 103 a Unix socket allows; give a shorter socketDir/,
    );
    expect(fs.readdirSync(deep)).toEqual([]);
  });

  const bad = [
    { name: "not JSON", text: "not json\n", error: /^the request is not JSON$/ },
    { name: "not an object", text: "[1]\n", error: /^the request is not a JSON object$/ },
    { name: "no cwd", text: '{"op":"download","run":"sharp-shrimp-1"}\n', error: /^cwd: / },
    { name: "a relative cwd", text: '{"op":"download","run":"x","cwd":"rel"}\n', error: /^cwd: / },
    {
      name: "an unknown op",
      text: '{"op":"delete","cwd":"/"}\n',
      error: /^op: "delete" is not an operation/,
    },
    {
      name: "a wrong type",
      text: '{"op":"download","run":7,"cwd":"/"}\n',
      error: /^run: expected a string, got 7$/,
    },
  ];
  it.each(bad)("answers $name with ok:false and keeps serving", async ({ text, error }) => {
    const reply = await rawRequest(text);
    expect(reply).toMatchObject({ ok: false });
    expect(reply.error).toMatch(error);
    const work = path.join(tmp, "work");
    const ok = await rawRequest(
      `${JSON.stringify({ op: "download", tag: "my_tag", artifact_path: "output/other.txt", cwd: work })}\n`,
    );
    expect(ok).toEqual({ ok: true, run: "sharp-shrimp-1", files: 1, bytes: 5, local_path: work });
    expect(readTree(work)).toEqual({ "other.txt": "other" });
  });

  it("takes a request without a final newline when the client ends its side", async () => {
    const reply = await rawRequest(
      JSON.stringify({ op: "download", run: "nope-nope-1", cwd: tmp }),
      {
        end: true,
      },
    );
    expect(reply).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^no run "nope-nope-1"/),
    });
  });

  it("answers an upload with what it stored", async () => {
    const reply = await rawRequest(
      `${JSON.stringify({ op: "upload", local_path: "datasets/dataset1", artifact_path: null, tag: "v1", cwd: repo })}\n`,
    );
    expect(reply).toMatchObject({
      ok: true,
      tag: "v1",
      artifact_path: "datasets/dataset1",
      files: 2,
      bytes: 10,
    });
    expect((await store.getTag("v1")).runName).toBe(reply.run);
    const moved = await rawRequest(
      `${JSON.stringify({ op: "upload", local_path: "datasets/dataset1", tag: "v1", cwd: repo })}\n`,
    );
    expect(moved).toMatchObject({ ok: true, tag: "v1", previous: reply.run });
  });
});

describe("defaultArtifactPath", () => {
  const cases = [
    { name: "a relative path as given", given: "datasets/dataset1", want: "datasets/dataset1" },
    { name: "normalized", given: "./datasets//dataset1/", want: "datasets/dataset1" },
    { name: "an absolute path inside cwd", given: "/w/repo/out/model", want: "out/model" },
    { name: "an absolute path elsewhere: its name", given: "/data/cache/model", want: "model" },
    { name: "a path above cwd: its name", given: "../shared/data", want: "data" },
  ];
  it.each(cases)("$name", ({ given, want }) => {
    expect(defaultArtifactPath(given, "/w/repo")).toBe(want);
  });
  it("refuses the working folder itself", () => {
    expect(() => defaultArtifactPath(".", "/w/repo")).toThrow(/whole working folder/);
  });
});

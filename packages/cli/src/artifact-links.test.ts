// Symbolic links in a job's artifacts, end to end: links out of the repository are left out and
// named once in a warning, the rest is saved, and the run's status stays the job's.
import { describe, expect, it } from "vitest";
import { runDstack, tempDir, tempRepo } from "./testing.js";

describe("dstack run: symbolic links in artifacts", () => {
  it("leaves out every link leading out of the repository, names them once, saves the rest, exits 0", async () => {
    const outside = tempDir();
    const dir = tempRepo({
      "job.py": [
        "import os",
        "os.makedirs('out/sub', exist_ok=True)",
        "open('out/model.bin', 'w').write('m')",
        "open('data.csv', 'w').write('d')",
        "os.symlink('/etc/passwd', 'out/passwd')",
        "os.symlink('../../../../../../etc/hostname', 'out/sub/host')",
        "os.symlink('model.bin', 'out/latest.bin')",
        "os.symlink('../data.csv', 'out/data.csv')",
        `os.symlink(${JSON.stringify(outside)}, 'elsewhere')`,
      ].join("\n"),
    });
    const home = tempDir();
    const env = { ...process.env, DSTACK_HOME: home };
    const r = await runDstack(
      ["run", "python", "-a", "out", "-a", "elsewhere", "job.py"],
      dir,
      env,
    );
    expect(r.status).toBe(0);
    const warnings = r.stderr.split("\n").filter((l) => l.includes("symbolic link"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      "warning: artifacts: left out 3 symbolic links leading out of the repository",
    );
    expect(warnings[0]).toContain("out/passwd -> /etc/passwd");
    expect(warnings[0]).toContain("out/sub/host -> ../../../../../../etc/hostname");
    expect(warnings[0]).toContain("elsewhere -> ");
    expect(r.stderr).toMatch(/done: exited with 0/);
    const runName = /^(\S+-\d+) submitted/m.exec(r.stderr)?.[1] as string;
    const list = await runDstack(["artifacts", "list", runName], dir, env);
    expect(list.stdout).toMatch(/out\/model\.bin\s+1B/);
    expect(list.stdout).toMatch(/out\/latest\.bin/);
    expect(list.stdout).toMatch(/out\/data\.csv\s+1B/);
    expect(list.stdout).not.toContain("passwd");
    expect(list.stdout).not.toContain("host");
  });
});

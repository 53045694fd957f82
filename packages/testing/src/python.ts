/**
 * Python packages for tests: wheels built locally, since PyPI is unreachable from tests.
 *
 * @module
 */
import { execFileSync } from "node:child_process";

/**
 * Builds a pure-Python wheel `<name>-<version>-py3-none-any.whl` in `dir` with the standard
 * library's zipfile (a wheel is a zip with a dist-info folder: PEP 427), so pip can install it
 * with `PIP_NO_INDEX=1 PIP_FIND_LINKS=dir`.
 *
 * @returns the wheel's path.
 */
export function buildWheel(options: {
  dir: string;
  name: string;
  version: string;
  /** The module's `__init__.py`. */
  source: string;
}): string {
  const { dir, name, version, source } = options;
  const script = `
import base64, hashlib, sys, zipfile
dir, name, version, source = sys.argv[1:5]
dist = f"{name}-{version}.dist-info"
files = {
    f"{name}/__init__.py": source,
    f"{dist}/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n",
    f"{dist}/WHEEL": "Wheel-Version: 1.0\\nGenerator: dstack-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
record = []
path = f"{dir}/{name}-{version}-py3-none-any.whl"
with zipfile.ZipFile(path, "w") as z:
    for n, text in files.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{n},sha256={digest},{len(data)}")
        z.writestr(n, data)
    record.append(f"{dist}/RECORD,,")
    z.writestr(f"{dist}/RECORD", "\\n".join(record) + "\\n")
print(path)
`;
  return execFileSync("python3", ["-c", script, dir, name, version, source], {
    encoding: "utf8",
  }).trim();
}

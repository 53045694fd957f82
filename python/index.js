import { fileURLToPath } from "node:url";

/** The folder that holds the `dstack` Python package: put it on a job's PYTHONPATH. */
export const PYTHON_PATH = fileURLToPath(new URL(".", import.meta.url));

/** The folder that holds the `dstack` Python package (absolute): put it on a job's PYTHONPATH. */
export declare const PYTHON_PATH: string;

import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  CSV_OPTIONS,
  CsvError,
  METRICS_DIR,
  createMetricsCollector,
  is_object,
  metricsFileKind,
  transform
} from "./chunk-EXW4HUQH.js";

// ../../packages/metrics/lib/node.js
import { createReadStream } from "node:fs";
import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";

// ../../node_modules/csv-parse/lib/index.js
import { Transform } from "stream";
var Parser = class extends Transform {
  constructor(opts = {}) {
    super({ ...{ readableObjectMode: true }, ...opts, encoding: null });
    this.api = transform({
      on_skip: (err, chunk) => {
        this.emit("skip", err, chunk);
      },
      ...opts
    });
    this.state = this.api.state;
    this.options = this.api.options;
    this.info = this.api.info;
  }
  // Implementation of `Transform._transform`
  _transform(buf, _, callback) {
    if (this.state.stop === true) {
      return;
    }
    const err = this.api.parse(
      buf,
      false,
      (record) => {
        this.push(record);
      },
      () => {
        this.push(null);
        this.end();
        this.on("end", this.destroy);
      }
    );
    if (err !== void 0) {
      this.state.stop = true;
    }
    callback(err);
  }
  // Implementation of `Transform._flush`
  _flush(callback) {
    if (this.state.stop === true) {
      return;
    }
    const err = this.api.parse(
      void 0,
      true,
      (record) => {
        this.push(record);
      },
      () => {
        this.push(null);
        this.on("end", this.destroy);
      }
    );
    callback(err);
  }
};
var parse = function() {
  let data, options, callback;
  for (const i in arguments) {
    const argument = arguments[i];
    const type = typeof argument;
    if (data === void 0 && (typeof argument === "string" || Buffer.isBuffer(argument))) {
      data = argument;
    } else if (options === void 0 && is_object(argument)) {
      options = argument;
    } else if (callback === void 0 && type === "function") {
      callback = argument;
    } else {
      throw new CsvError(
        "CSV_INVALID_ARGUMENT",
        ["Invalid argument:", `got ${JSON.stringify(argument)} at index ${i}`],
        options || {}
      );
    }
  }
  const parser = new Parser(options);
  if (callback) {
    const records = options === void 0 || options.objname === void 0 ? [] : /* @__PURE__ */ Object.create(null);
    parser.on("readable", function() {
      let record;
      while ((record = this.read()) !== null) {
        if (options === void 0 || options.objname === void 0) {
          records.push(record);
        } else {
          Object.assign(records, {
            [record[0]]: record[1]
            // writable: true,
            // enumerable: true,
            // configurable: true
          });
        }
      }
    });
    parser.on("error", function(err) {
      callback(err, void 0, parser.api.__infoDataSet());
    });
    parser.on("end", function() {
      callback(void 0, records, parser.api.__infoDataSet());
    });
  }
  if (data !== void 0) {
    const writer = function() {
      parser.write(data);
      parser.end();
    };
    if (typeof setImmediate === "function") {
      setImmediate(writer);
    } else {
      setTimeout(writer, 0);
    }
  }
  return parser;
};

// ../../packages/metrics/lib/node.js
var METRICS_FILES_MAX = 100;
var METRICS_JSON_MAX_BYTES = 1024 * 1024;
var SEARCH_DEPTH = 6;
var SEARCH_ENTRIES_MAX = 2e4;
async function findMetricsFiles(root) {
  const found = [];
  let seen = 0;
  const walk = async (rel, depth) => {
    let entries;
    try {
      entries = await readdir(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const e of entries) {
      if (++seen > SEARCH_ENTRIES_MAX || found.length >= METRICS_FILES_MAX)
        return;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory() && depth < SEARCH_DEPTH) {
        await walk(child, depth + 1);
      } else if (e.isFile()) {
        const inMetrics = child.startsWith(`${METRICS_DIR}/`);
        if (inMetrics && metricsFileKind(child) || e.name === "metrics.csv")
          found.push(child);
      }
    }
  };
  await walk("", 0);
  return found.sort();
}
async function readMetricsDir(root, options = {}) {
  const c = createMetricsCollector(options);
  for (const rel of await findMetricsFiles(root)) {
    const file = path.join(root, rel);
    try {
      const kind = metricsFileKind(rel);
      if (kind === "object") {
        const size = (await lstat(file)).size;
        if (size > METRICS_JSON_MAX_BYTES) {
          c.problem(rel, `${rel}: ${size} bytes; a last-value file holds at most ${METRICS_JSON_MAX_BYTES} (log curves to a .jsonl file)`);
          continue;
        }
        c.jsonObject(rel, await readFile(file, "utf8"));
      } else if (kind === "lines") {
        const lines = createInterface({
          input: createReadStream(file, "utf8"),
          crlfDelay: Infinity
        });
        let n = 0;
        for await (const text of lines)
          c.jsonLine(rel, ++n, text);
      } else {
        const parser = createReadStream(file).pipe(parse({
          ...CSV_OPTIONS,
          on_skip: (err) => {
            c.problem(rel, `${rel}:${err?.lines ?? "?"}: not CSV (${err?.message ?? "a bad row"})`);
            return void 0;
          }
        }));
        for await (const row of parser) {
          c.csvRecord(rel, row.info.lines, row.record);
        }
      }
    } catch (e) {
      c.problem(rel, `${rel}: cannot be read (${e.message})`);
    }
  }
  return c.result();
}

export {
  readMetricsDir
};

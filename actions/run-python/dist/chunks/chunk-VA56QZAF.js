import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  require_graceful_fs
} from "./chunk-KQX3PZ3A.js";
import {
  getInput,
  setSecret
} from "./chunk-RTZHXGW5.js";
import {
  EPHEMERAL_LABEL,
  POLICY_FILE,
  TAG_PATTERN,
  WORKFLOWS_DIR,
  WORKFLOWS_FILE,
  allocateRunName,
  checkRepoPath,
  didYouMean,
  findWorkflow,
  formatCount,
  formatSize,
  hostSatisfies,
  jobLabels,
  parsePolicy,
  parseWorkflows,
  validateWorkflow,
  valueLocator
} from "./chunk-OADE2NIT.js";
import {
  __commonJS,
  __require,
  __toESM
} from "./chunk-2XQLGBSN.js";

// ../../node_modules/isexe/windows.js
var require_windows = __commonJS({
  "../../node_modules/isexe/windows.js"(exports, module) {
    module.exports = isexe;
    isexe.sync = sync;
    var fs = __require("fs");
    function checkPathExt(path12, options) {
      var pathext = options.pathExt !== void 0 ? options.pathExt : process.env.PATHEXT;
      if (!pathext) {
        return true;
      }
      pathext = pathext.split(";");
      if (pathext.indexOf("") !== -1) {
        return true;
      }
      for (var i2 = 0; i2 < pathext.length; i2++) {
        var p = pathext[i2].toLowerCase();
        if (p && path12.substr(-p.length).toLowerCase() === p) {
          return true;
        }
      }
      return false;
    }
    function checkStat(stat4, path12, options) {
      if (!stat4.isSymbolicLink() && !stat4.isFile()) {
        return false;
      }
      return checkPathExt(path12, options);
    }
    function isexe(path12, options, cb) {
      fs.stat(path12, function(er, stat4) {
        cb(er, er ? false : checkStat(stat4, path12, options));
      });
    }
    function sync(path12, options) {
      return checkStat(fs.statSync(path12), path12, options);
    }
  }
});

// ../../node_modules/isexe/mode.js
var require_mode = __commonJS({
  "../../node_modules/isexe/mode.js"(exports, module) {
    module.exports = isexe;
    isexe.sync = sync;
    var fs = __require("fs");
    function isexe(path12, options, cb) {
      fs.stat(path12, function(er, stat4) {
        cb(er, er ? false : checkStat(stat4, options));
      });
    }
    function sync(path12, options) {
      return checkStat(fs.statSync(path12), options);
    }
    function checkStat(stat4, options) {
      return stat4.isFile() && checkMode(stat4, options);
    }
    function checkMode(stat4, options) {
      var mod = stat4.mode;
      var uid = stat4.uid;
      var gid = stat4.gid;
      var myUid = options.uid !== void 0 ? options.uid : process.getuid && process.getuid();
      var myGid = options.gid !== void 0 ? options.gid : process.getgid && process.getgid();
      var u2 = parseInt("100", 8);
      var g = parseInt("010", 8);
      var o2 = parseInt("001", 8);
      var ug = u2 | g;
      var ret = mod & o2 || mod & g && gid === myGid || mod & u2 && uid === myUid || mod & ug && myUid === 0;
      return ret;
    }
  }
});

// ../../node_modules/isexe/index.js
var require_isexe = __commonJS({
  "../../node_modules/isexe/index.js"(exports, module) {
    var fs = __require("fs");
    var core;
    if (process.platform === "win32" || global.TESTING_WINDOWS) {
      core = require_windows();
    } else {
      core = require_mode();
    }
    module.exports = isexe;
    isexe.sync = sync;
    function isexe(path12, options, cb) {
      if (typeof options === "function") {
        cb = options;
        options = {};
      }
      if (!cb) {
        if (typeof Promise !== "function") {
          throw new TypeError("callback not provided");
        }
        return new Promise(function(resolve3, reject) {
          isexe(path12, options || {}, function(er, is) {
            if (er) {
              reject(er);
            } else {
              resolve3(is);
            }
          });
        });
      }
      core(path12, options || {}, function(er, is) {
        if (er) {
          if (er.code === "EACCES" || options && options.ignoreErrors) {
            er = null;
            is = false;
          }
        }
        cb(er, is);
      });
    }
    function sync(path12, options) {
      try {
        return core.sync(path12, options || {});
      } catch (er) {
        if (options && options.ignoreErrors || er.code === "EACCES") {
          return false;
        } else {
          throw er;
        }
      }
    }
  }
});

// ../../node_modules/which/which.js
var require_which = __commonJS({
  "../../node_modules/which/which.js"(exports, module) {
    var isWindows = process.platform === "win32" || process.env.OSTYPE === "cygwin" || process.env.OSTYPE === "msys";
    var path12 = __require("path");
    var COLON = isWindows ? ";" : ":";
    var isexe = require_isexe();
    var getNotFoundError = (cmd) => Object.assign(new Error(`not found: ${cmd}`), { code: "ENOENT" });
    var getPathInfo = (cmd, opt) => {
      const colon = opt.colon || COLON;
      const pathEnv = cmd.match(/\//) || isWindows && cmd.match(/\\/) ? [""] : [
        // windows always checks the cwd first
        ...isWindows ? [process.cwd()] : [],
        ...(opt.path || process.env.PATH || /* istanbul ignore next: very unusual */
        "").split(colon)
      ];
      const pathExtExe = isWindows ? opt.pathExt || process.env.PATHEXT || ".EXE;.CMD;.BAT;.COM" : "";
      const pathExt = isWindows ? pathExtExe.split(colon) : [""];
      if (isWindows) {
        if (cmd.indexOf(".") !== -1 && pathExt[0] !== "")
          pathExt.unshift("");
      }
      return {
        pathEnv,
        pathExt,
        pathExtExe
      };
    };
    var which = (cmd, opt, cb) => {
      if (typeof opt === "function") {
        cb = opt;
        opt = {};
      }
      if (!opt)
        opt = {};
      const { pathEnv, pathExt, pathExtExe } = getPathInfo(cmd, opt);
      const found = [];
      const step = (i2) => new Promise((resolve3, reject) => {
        if (i2 === pathEnv.length)
          return opt.all && found.length ? resolve3(found) : reject(getNotFoundError(cmd));
        const ppRaw = pathEnv[i2];
        const pathPart = /^".*"$/.test(ppRaw) ? ppRaw.slice(1, -1) : ppRaw;
        const pCmd = path12.join(pathPart, cmd);
        const p = !pathPart && /^\.[\\\/]/.test(cmd) ? cmd.slice(0, 2) + pCmd : pCmd;
        resolve3(subStep(p, i2, 0));
      });
      const subStep = (p, i2, ii) => new Promise((resolve3, reject) => {
        if (ii === pathExt.length)
          return resolve3(step(i2 + 1));
        const ext = pathExt[ii];
        isexe(p + ext, { pathExt: pathExtExe }, (er, is) => {
          if (!er && is) {
            if (opt.all)
              found.push(p + ext);
            else
              return resolve3(p + ext);
          }
          return resolve3(subStep(p, i2, ii + 1));
        });
      });
      return cb ? step(0).then((res) => cb(null, res), cb) : step(0);
    };
    var whichSync = (cmd, opt) => {
      opt = opt || {};
      const { pathEnv, pathExt, pathExtExe } = getPathInfo(cmd, opt);
      const found = [];
      for (let i2 = 0; i2 < pathEnv.length; i2++) {
        const ppRaw = pathEnv[i2];
        const pathPart = /^".*"$/.test(ppRaw) ? ppRaw.slice(1, -1) : ppRaw;
        const pCmd = path12.join(pathPart, cmd);
        const p = !pathPart && /^\.[\\\/]/.test(cmd) ? cmd.slice(0, 2) + pCmd : pCmd;
        for (let j = 0; j < pathExt.length; j++) {
          const cur = p + pathExt[j];
          try {
            const is = isexe.sync(cur, { pathExt: pathExtExe });
            if (is) {
              if (opt.all)
                found.push(cur);
              else
                return cur;
            }
          } catch (ex) {
          }
        }
      }
      if (opt.all && found.length)
        return found;
      if (opt.nothrow)
        return null;
      throw getNotFoundError(cmd);
    };
    module.exports = which;
    which.sync = whichSync;
  }
});

// ../../node_modules/path-key/index.js
var require_path_key = __commonJS({
  "../../node_modules/path-key/index.js"(exports, module) {
    "use strict";
    var pathKey2 = (options = {}) => {
      const environment = options.env || process.env;
      const platform2 = options.platform || process.platform;
      if (platform2 !== "win32") {
        return "PATH";
      }
      return Object.keys(environment).reverse().find((key) => key.toUpperCase() === "PATH") || "Path";
    };
    module.exports = pathKey2;
    module.exports.default = pathKey2;
  }
});

// ../../node_modules/cross-spawn/lib/util/resolveCommand.js
var require_resolveCommand = __commonJS({
  "../../node_modules/cross-spawn/lib/util/resolveCommand.js"(exports, module) {
    "use strict";
    var path12 = __require("path");
    var which = require_which();
    var getPathKey = require_path_key();
    function resolveCommandAttempt(parsed, withoutPathExt) {
      const env = parsed.options.env || process.env;
      const cwd = process.cwd();
      const hasCustomCwd = parsed.options.cwd != null;
      const shouldSwitchCwd = hasCustomCwd && process.chdir !== void 0 && !process.chdir.disabled;
      if (shouldSwitchCwd) {
        try {
          process.chdir(parsed.options.cwd);
        } catch (err) {
        }
      }
      let resolved;
      try {
        resolved = which.sync(parsed.command, {
          path: env[getPathKey({ env })],
          pathExt: withoutPathExt ? path12.delimiter : void 0
        });
      } catch (e) {
      } finally {
        if (shouldSwitchCwd) {
          process.chdir(cwd);
        }
      }
      if (resolved) {
        resolved = path12.resolve(hasCustomCwd ? parsed.options.cwd : "", resolved);
      }
      return resolved;
    }
    function resolveCommand(parsed) {
      return resolveCommandAttempt(parsed) || resolveCommandAttempt(parsed, true);
    }
    module.exports = resolveCommand;
  }
});

// ../../node_modules/cross-spawn/lib/util/escape.js
var require_escape = __commonJS({
  "../../node_modules/cross-spawn/lib/util/escape.js"(exports, module) {
    "use strict";
    var metaCharsRegExp = /([()\][%!^"`<>&|;, *?])/g;
    function escapeCommand(arg) {
      arg = arg.replace(metaCharsRegExp, "^$1");
      return arg;
    }
    function escapeArgument(arg, doubleEscapeMetaChars) {
      arg = `${arg}`;
      arg = arg.replace(/(?=(\\+?)?)\1"/g, '$1$1\\"');
      arg = arg.replace(/(?=(\\+?)?)\1$/, "$1$1");
      arg = `"${arg}"`;
      arg = arg.replace(metaCharsRegExp, "^$1");
      if (doubleEscapeMetaChars) {
        arg = arg.replace(metaCharsRegExp, "^$1");
      }
      return arg;
    }
    module.exports.command = escapeCommand;
    module.exports.argument = escapeArgument;
  }
});

// ../../node_modules/shebang-regex/index.js
var require_shebang_regex = __commonJS({
  "../../node_modules/shebang-regex/index.js"(exports, module) {
    "use strict";
    module.exports = /^#!(.*)/;
  }
});

// ../../node_modules/shebang-command/index.js
var require_shebang_command = __commonJS({
  "../../node_modules/shebang-command/index.js"(exports, module) {
    "use strict";
    var shebangRegex = require_shebang_regex();
    module.exports = (string = "") => {
      const match = string.match(shebangRegex);
      if (!match) {
        return null;
      }
      const [path12, argument] = match[0].replace(/#! ?/, "").split(" ");
      const binary = path12.split("/").pop();
      if (binary === "env") {
        return argument;
      }
      return argument ? `${binary} ${argument}` : binary;
    };
  }
});

// ../../node_modules/cross-spawn/lib/util/readShebang.js
var require_readShebang = __commonJS({
  "../../node_modules/cross-spawn/lib/util/readShebang.js"(exports, module) {
    "use strict";
    var fs = __require("fs");
    var shebangCommand = require_shebang_command();
    function readShebang(command) {
      const size = 150;
      const buffer = Buffer.alloc(size);
      let fd;
      try {
        fd = fs.openSync(command, "r");
        fs.readSync(fd, buffer, 0, size, 0);
        fs.closeSync(fd);
      } catch (e) {
      }
      return shebangCommand(buffer.toString());
    }
    module.exports = readShebang;
  }
});

// ../../node_modules/cross-spawn/lib/parse.js
var require_parse = __commonJS({
  "../../node_modules/cross-spawn/lib/parse.js"(exports, module) {
    "use strict";
    var path12 = __require("path");
    var resolveCommand = require_resolveCommand();
    var escape = require_escape();
    var readShebang = require_readShebang();
    var isWin = process.platform === "win32";
    var isExecutableRegExp = /\.(?:com|exe)$/i;
    var isCmdShimRegExp = /node_modules[\\/].bin[\\/][^\\/]+\.cmd$/i;
    function detectShebang(parsed) {
      parsed.file = resolveCommand(parsed);
      const shebang = parsed.file && readShebang(parsed.file);
      if (shebang) {
        parsed.args.unshift(parsed.file);
        parsed.command = shebang;
        return resolveCommand(parsed);
      }
      return parsed.file;
    }
    function parseNonShell(parsed) {
      if (!isWin) {
        return parsed;
      }
      const commandFile = detectShebang(parsed);
      const needsShell = !isExecutableRegExp.test(commandFile);
      if (parsed.options.forceShell || needsShell) {
        const needsDoubleEscapeMetaChars = isCmdShimRegExp.test(commandFile);
        parsed.command = path12.normalize(parsed.command);
        parsed.command = escape.command(parsed.command);
        parsed.args = parsed.args.map((arg) => escape.argument(arg, needsDoubleEscapeMetaChars));
        const shellCommand = [parsed.command].concat(parsed.args).join(" ");
        parsed.args = ["/d", "/s", "/c", `"${shellCommand}"`];
        parsed.command = process.env.comspec || "cmd.exe";
        parsed.options.windowsVerbatimArguments = true;
      }
      return parsed;
    }
    function parse(command, args, options) {
      if (args && !Array.isArray(args)) {
        options = args;
        args = null;
      }
      args = args ? args.slice(0) : [];
      options = Object.assign({}, options);
      const parsed = {
        command,
        args,
        options,
        file: void 0,
        original: {
          command,
          args
        }
      };
      return options.shell ? parsed : parseNonShell(parsed);
    }
    module.exports = parse;
  }
});

// ../../node_modules/cross-spawn/lib/enoent.js
var require_enoent = __commonJS({
  "../../node_modules/cross-spawn/lib/enoent.js"(exports, module) {
    "use strict";
    var isWin = process.platform === "win32";
    function notFoundError(original, syscall) {
      return Object.assign(new Error(`${syscall} ${original.command} ENOENT`), {
        code: "ENOENT",
        errno: "ENOENT",
        syscall: `${syscall} ${original.command}`,
        path: original.command,
        spawnargs: original.args
      });
    }
    function hookChildProcess(cp, parsed) {
      if (!isWin) {
        return;
      }
      const originalEmit = cp.emit;
      cp.emit = function(name, arg1) {
        if (name === "exit") {
          const err = verifyENOENT(arg1, parsed);
          if (err) {
            return originalEmit.call(cp, "error", err);
          }
        }
        return originalEmit.apply(cp, arguments);
      };
    }
    function verifyENOENT(status, parsed) {
      if (isWin && status === 1 && !parsed.file) {
        return notFoundError(parsed.original, "spawn");
      }
      return null;
    }
    function verifyENOENTSync(status, parsed) {
      if (isWin && status === 1 && !parsed.file) {
        return notFoundError(parsed.original, "spawnSync");
      }
      return null;
    }
    module.exports = {
      hookChildProcess,
      verifyENOENT,
      verifyENOENTSync,
      notFoundError
    };
  }
});

// ../../node_modules/cross-spawn/index.js
var require_cross_spawn = __commonJS({
  "../../node_modules/cross-spawn/index.js"(exports, module) {
    "use strict";
    var cp = __require("child_process");
    var parse = require_parse();
    var enoent = require_enoent();
    function spawn2(command, args, options) {
      const parsed = parse(command, args, options);
      const spawned = cp.spawn(parsed.command, parsed.args, parsed.options);
      enoent.hookChildProcess(spawned, parsed);
      return spawned;
    }
    function spawnSync2(command, args, options) {
      const parsed = parse(command, args, options);
      const result = cp.spawnSync(parsed.command, parsed.args, parsed.options);
      result.error = result.error || enoent.verifyENOENTSync(result.status, parsed);
      return result;
    }
    module.exports = spawn2;
    module.exports.spawn = spawn2;
    module.exports.sync = spawnSync2;
    module.exports._parse = parse;
    module.exports._enoent = enoent;
  }
});

// ../../node_modules/retry/lib/retry_operation.js
var require_retry_operation = __commonJS({
  "../../node_modules/retry/lib/retry_operation.js"(exports, module) {
    function RetryOperation(timeouts, options) {
      if (typeof options === "boolean") {
        options = { forever: options };
      }
      this._originalTimeouts = JSON.parse(JSON.stringify(timeouts));
      this._timeouts = timeouts;
      this._options = options || {};
      this._maxRetryTime = options && options.maxRetryTime || Infinity;
      this._fn = null;
      this._errors = [];
      this._attempts = 1;
      this._operationTimeout = null;
      this._operationTimeoutCb = null;
      this._timeout = null;
      this._operationStart = null;
      if (this._options.forever) {
        this._cachedTimeouts = this._timeouts.slice(0);
      }
    }
    module.exports = RetryOperation;
    RetryOperation.prototype.reset = function() {
      this._attempts = 1;
      this._timeouts = this._originalTimeouts;
    };
    RetryOperation.prototype.stop = function() {
      if (this._timeout) {
        clearTimeout(this._timeout);
      }
      this._timeouts = [];
      this._cachedTimeouts = null;
    };
    RetryOperation.prototype.retry = function(err) {
      if (this._timeout) {
        clearTimeout(this._timeout);
      }
      if (!err) {
        return false;
      }
      var currentTime = (/* @__PURE__ */ new Date()).getTime();
      if (err && currentTime - this._operationStart >= this._maxRetryTime) {
        this._errors.unshift(new Error("RetryOperation timeout occurred"));
        return false;
      }
      this._errors.push(err);
      var timeout = this._timeouts.shift();
      if (timeout === void 0) {
        if (this._cachedTimeouts) {
          this._errors.splice(this._errors.length - 1, this._errors.length);
          this._timeouts = this._cachedTimeouts.slice(0);
          timeout = this._timeouts.shift();
        } else {
          return false;
        }
      }
      var self = this;
      var timer = setTimeout(function() {
        self._attempts++;
        if (self._operationTimeoutCb) {
          self._timeout = setTimeout(function() {
            self._operationTimeoutCb(self._attempts);
          }, self._operationTimeout);
          if (self._options.unref) {
            self._timeout.unref();
          }
        }
        self._fn(self._attempts);
      }, timeout);
      if (this._options.unref) {
        timer.unref();
      }
      return true;
    };
    RetryOperation.prototype.attempt = function(fn, timeoutOps) {
      this._fn = fn;
      if (timeoutOps) {
        if (timeoutOps.timeout) {
          this._operationTimeout = timeoutOps.timeout;
        }
        if (timeoutOps.cb) {
          this._operationTimeoutCb = timeoutOps.cb;
        }
      }
      var self = this;
      if (this._operationTimeoutCb) {
        this._timeout = setTimeout(function() {
          self._operationTimeoutCb();
        }, self._operationTimeout);
      }
      this._operationStart = (/* @__PURE__ */ new Date()).getTime();
      this._fn(this._attempts);
    };
    RetryOperation.prototype.try = function(fn) {
      console.log("Using RetryOperation.try() is deprecated");
      this.attempt(fn);
    };
    RetryOperation.prototype.start = function(fn) {
      console.log("Using RetryOperation.start() is deprecated");
      this.attempt(fn);
    };
    RetryOperation.prototype.start = RetryOperation.prototype.try;
    RetryOperation.prototype.errors = function() {
      return this._errors;
    };
    RetryOperation.prototype.attempts = function() {
      return this._attempts;
    };
    RetryOperation.prototype.mainError = function() {
      if (this._errors.length === 0) {
        return null;
      }
      var counts = {};
      var mainError = null;
      var mainErrorCount = 0;
      for (var i2 = 0; i2 < this._errors.length; i2++) {
        var error2 = this._errors[i2];
        var message = error2.message;
        var count2 = (counts[message] || 0) + 1;
        counts[message] = count2;
        if (count2 >= mainErrorCount) {
          mainError = error2;
          mainErrorCount = count2;
        }
      }
      return mainError;
    };
  }
});

// ../../node_modules/retry/lib/retry.js
var require_retry = __commonJS({
  "../../node_modules/retry/lib/retry.js"(exports) {
    var RetryOperation = require_retry_operation();
    exports.operation = function(options) {
      var timeouts = exports.timeouts(options);
      return new RetryOperation(timeouts, {
        forever: options && options.forever,
        unref: options && options.unref,
        maxRetryTime: options && options.maxRetryTime
      });
    };
    exports.timeouts = function(options) {
      if (options instanceof Array) {
        return [].concat(options);
      }
      var opts = {
        retries: 10,
        factor: 2,
        minTimeout: 1 * 1e3,
        maxTimeout: Infinity,
        randomize: false
      };
      for (var key in options) {
        opts[key] = options[key];
      }
      if (opts.minTimeout > opts.maxTimeout) {
        throw new Error("minTimeout is greater than maxTimeout");
      }
      var timeouts = [];
      for (var i2 = 0; i2 < opts.retries; i2++) {
        timeouts.push(this.createTimeout(i2, opts));
      }
      if (options && options.forever && !timeouts.length) {
        timeouts.push(this.createTimeout(i2, opts));
      }
      timeouts.sort(function(a2, b) {
        return a2 - b;
      });
      return timeouts;
    };
    exports.createTimeout = function(attempt, opts) {
      var random = opts.randomize ? Math.random() + 1 : 1;
      var timeout = Math.round(random * opts.minTimeout * Math.pow(opts.factor, attempt));
      timeout = Math.min(timeout, opts.maxTimeout);
      return timeout;
    };
    exports.wrap = function(obj, options, methods) {
      if (options instanceof Array) {
        methods = options;
        options = null;
      }
      if (!methods) {
        methods = [];
        for (var key in obj) {
          if (typeof obj[key] === "function") {
            methods.push(key);
          }
        }
      }
      for (var i2 = 0; i2 < methods.length; i2++) {
        var method = methods[i2];
        var original = obj[method];
        obj[method] = function retryWrapper(original2) {
          var op = exports.operation(options);
          var args = Array.prototype.slice.call(arguments, 1);
          var callback = args.pop();
          args.push(function(err) {
            if (op.retry(err)) {
              return;
            }
            if (err) {
              arguments[0] = op.mainError();
            }
            callback.apply(this, arguments);
          });
          op.attempt(function() {
            original2.apply(obj, args);
          });
        }.bind(obj, original);
        obj[method].options = options;
      }
    };
  }
});

// ../../node_modules/retry/index.js
var require_retry2 = __commonJS({
  "../../node_modules/retry/index.js"(exports, module) {
    module.exports = require_retry();
  }
});

// ../../node_modules/proper-lockfile/node_modules/signal-exit/signals.js
var require_signals = __commonJS({
  "../../node_modules/proper-lockfile/node_modules/signal-exit/signals.js"(exports, module) {
    module.exports = [
      "SIGABRT",
      "SIGALRM",
      "SIGHUP",
      "SIGINT",
      "SIGTERM"
    ];
    if (process.platform !== "win32") {
      module.exports.push(
        "SIGVTALRM",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGUSR2",
        "SIGTRAP",
        "SIGSYS",
        "SIGQUIT",
        "SIGIOT"
        // should detect profiler and enable/disable accordingly.
        // see #21
        // 'SIGPROF'
      );
    }
    if (process.platform === "linux") {
      module.exports.push(
        "SIGIO",
        "SIGPOLL",
        "SIGPWR",
        "SIGSTKFLT",
        "SIGUNUSED"
      );
    }
  }
});

// ../../node_modules/proper-lockfile/node_modules/signal-exit/index.js
var require_signal_exit = __commonJS({
  "../../node_modules/proper-lockfile/node_modules/signal-exit/index.js"(exports, module) {
    var process10 = global.process;
    var processOk2 = function(process11) {
      return process11 && typeof process11 === "object" && typeof process11.removeListener === "function" && typeof process11.emit === "function" && typeof process11.reallyExit === "function" && typeof process11.listeners === "function" && typeof process11.kill === "function" && typeof process11.pid === "number" && typeof process11.on === "function";
    };
    if (!processOk2(process10)) {
      module.exports = function() {
        return function() {
        };
      };
    } else {
      assert = __require("assert");
      signals2 = require_signals();
      isWin = /^win/i.test(process10.platform);
      EE = __require("events");
      if (typeof EE !== "function") {
        EE = EE.EventEmitter;
      }
      if (process10.__signal_exit_emitter__) {
        emitter = process10.__signal_exit_emitter__;
      } else {
        emitter = process10.__signal_exit_emitter__ = new EE();
        emitter.count = 0;
        emitter.emitted = {};
      }
      if (!emitter.infinite) {
        emitter.setMaxListeners(Infinity);
        emitter.infinite = true;
      }
      module.exports = function(cb, opts) {
        if (!processOk2(global.process)) {
          return function() {
          };
        }
        assert.equal(typeof cb, "function", "a callback must be provided for exit handler");
        if (loaded === false) {
          load2();
        }
        var ev = "exit";
        if (opts && opts.alwaysLast) {
          ev = "afterexit";
        }
        var remove = function() {
          emitter.removeListener(ev, cb);
          if (emitter.listeners("exit").length === 0 && emitter.listeners("afterexit").length === 0) {
            unload2();
          }
        };
        emitter.on(ev, cb);
        return remove;
      };
      unload2 = function unload3() {
        if (!loaded || !processOk2(global.process)) {
          return;
        }
        loaded = false;
        signals2.forEach(function(sig) {
          try {
            process10.removeListener(sig, sigListeners[sig]);
          } catch (er) {
          }
        });
        process10.emit = originalProcessEmit;
        process10.reallyExit = originalProcessReallyExit;
        emitter.count -= 1;
      };
      module.exports.unload = unload2;
      emit = function emit2(event, code, signal) {
        if (emitter.emitted[event]) {
          return;
        }
        emitter.emitted[event] = true;
        emitter.emit(event, code, signal);
      };
      sigListeners = {};
      signals2.forEach(function(sig) {
        sigListeners[sig] = function listener() {
          if (!processOk2(global.process)) {
            return;
          }
          var listeners = process10.listeners(sig);
          if (listeners.length === emitter.count) {
            unload2();
            emit("exit", null, sig);
            emit("afterexit", null, sig);
            if (isWin && sig === "SIGHUP") {
              sig = "SIGINT";
            }
            process10.kill(process10.pid, sig);
          }
        };
      });
      module.exports.signals = function() {
        return signals2;
      };
      loaded = false;
      load2 = function load3() {
        if (loaded || !processOk2(global.process)) {
          return;
        }
        loaded = true;
        emitter.count += 1;
        signals2 = signals2.filter(function(sig) {
          try {
            process10.on(sig, sigListeners[sig]);
            return true;
          } catch (er) {
            return false;
          }
        });
        process10.emit = processEmit;
        process10.reallyExit = processReallyExit;
      };
      module.exports.load = load2;
      originalProcessReallyExit = process10.reallyExit;
      processReallyExit = function processReallyExit2(code) {
        if (!processOk2(global.process)) {
          return;
        }
        process10.exitCode = code || /* istanbul ignore next */
        0;
        emit("exit", process10.exitCode, null);
        emit("afterexit", process10.exitCode, null);
        originalProcessReallyExit.call(process10, process10.exitCode);
      };
      originalProcessEmit = process10.emit;
      processEmit = function processEmit2(ev, arg) {
        if (ev === "exit" && processOk2(global.process)) {
          if (arg !== void 0) {
            process10.exitCode = arg;
          }
          var ret = originalProcessEmit.apply(this, arguments);
          emit("exit", process10.exitCode, null);
          emit("afterexit", process10.exitCode, null);
          return ret;
        } else {
          return originalProcessEmit.apply(this, arguments);
        }
      };
    }
    var assert;
    var signals2;
    var isWin;
    var EE;
    var emitter;
    var unload2;
    var emit;
    var sigListeners;
    var loaded;
    var load2;
    var originalProcessReallyExit;
    var processReallyExit;
    var originalProcessEmit;
    var processEmit;
  }
});

// ../../node_modules/proper-lockfile/lib/mtime-precision.js
var require_mtime_precision = __commonJS({
  "../../node_modules/proper-lockfile/lib/mtime-precision.js"(exports, module) {
    "use strict";
    var cacheSymbol = /* @__PURE__ */ Symbol();
    function probe(file, fs, callback) {
      const cachedPrecision = fs[cacheSymbol];
      if (cachedPrecision) {
        return fs.stat(file, (err, stat4) => {
          if (err) {
            return callback(err);
          }
          callback(null, stat4.mtime, cachedPrecision);
        });
      }
      const mtime = new Date(Math.ceil(Date.now() / 1e3) * 1e3 + 5);
      fs.utimes(file, mtime, mtime, (err) => {
        if (err) {
          return callback(err);
        }
        fs.stat(file, (err2, stat4) => {
          if (err2) {
            return callback(err2);
          }
          const precision = stat4.mtime.getTime() % 1e3 === 0 ? "s" : "ms";
          Object.defineProperty(fs, cacheSymbol, { value: precision });
          callback(null, stat4.mtime, precision);
        });
      });
    }
    function getMtime(precision) {
      let now = Date.now();
      if (precision === "s") {
        now = Math.ceil(now / 1e3) * 1e3;
      }
      return new Date(now);
    }
    module.exports.probe = probe;
    module.exports.getMtime = getMtime;
  }
});

// ../../node_modules/proper-lockfile/lib/lockfile.js
var require_lockfile = __commonJS({
  "../../node_modules/proper-lockfile/lib/lockfile.js"(exports, module) {
    "use strict";
    var path12 = __require("path");
    var fs = require_graceful_fs();
    var retry = require_retry2();
    var onExit2 = require_signal_exit();
    var mtimePrecision = require_mtime_precision();
    var locks = {};
    function getLockFile(file, options) {
      return options.lockfilePath || `${file}.lock`;
    }
    function resolveCanonicalPath(file, options, callback) {
      if (!options.realpath) {
        return callback(null, path12.resolve(file));
      }
      options.fs.realpath(file, callback);
    }
    function acquireLock(file, options, callback) {
      const lockfilePath = getLockFile(file, options);
      options.fs.mkdir(lockfilePath, (err) => {
        if (!err) {
          return mtimePrecision.probe(lockfilePath, options.fs, (err2, mtime, mtimePrecision2) => {
            if (err2) {
              options.fs.rmdir(lockfilePath, () => {
              });
              return callback(err2);
            }
            callback(null, mtime, mtimePrecision2);
          });
        }
        if (err.code !== "EEXIST") {
          return callback(err);
        }
        if (options.stale <= 0) {
          return callback(Object.assign(new Error("Lock file is already being held"), { code: "ELOCKED", file }));
        }
        options.fs.stat(lockfilePath, (err2, stat4) => {
          if (err2) {
            if (err2.code === "ENOENT") {
              return acquireLock(file, { ...options, stale: 0 }, callback);
            }
            return callback(err2);
          }
          if (!isLockStale(stat4, options)) {
            return callback(Object.assign(new Error("Lock file is already being held"), { code: "ELOCKED", file }));
          }
          removeLock(file, options, (err3) => {
            if (err3) {
              return callback(err3);
            }
            acquireLock(file, { ...options, stale: 0 }, callback);
          });
        });
      });
    }
    function isLockStale(stat4, options) {
      return stat4.mtime.getTime() < Date.now() - options.stale;
    }
    function removeLock(file, options, callback) {
      options.fs.rmdir(getLockFile(file, options), (err) => {
        if (err && err.code !== "ENOENT") {
          return callback(err);
        }
        callback();
      });
    }
    function updateLock(file, options) {
      const lock2 = locks[file];
      if (lock2.updateTimeout) {
        return;
      }
      lock2.updateDelay = lock2.updateDelay || options.update;
      lock2.updateTimeout = setTimeout(() => {
        lock2.updateTimeout = null;
        options.fs.stat(lock2.lockfilePath, (err, stat4) => {
          const isOverThreshold = lock2.lastUpdate + options.stale < Date.now();
          if (err) {
            if (err.code === "ENOENT" || isOverThreshold) {
              return setLockAsCompromised(file, lock2, Object.assign(err, { code: "ECOMPROMISED" }));
            }
            lock2.updateDelay = 1e3;
            return updateLock(file, options);
          }
          const isMtimeOurs = lock2.mtime.getTime() === stat4.mtime.getTime();
          if (!isMtimeOurs) {
            return setLockAsCompromised(
              file,
              lock2,
              Object.assign(
                new Error("Unable to update lock within the stale threshold"),
                { code: "ECOMPROMISED" }
              )
            );
          }
          const mtime = mtimePrecision.getMtime(lock2.mtimePrecision);
          options.fs.utimes(lock2.lockfilePath, mtime, mtime, (err2) => {
            const isOverThreshold2 = lock2.lastUpdate + options.stale < Date.now();
            if (lock2.released) {
              return;
            }
            if (err2) {
              if (err2.code === "ENOENT" || isOverThreshold2) {
                return setLockAsCompromised(file, lock2, Object.assign(err2, { code: "ECOMPROMISED" }));
              }
              lock2.updateDelay = 1e3;
              return updateLock(file, options);
            }
            lock2.mtime = mtime;
            lock2.lastUpdate = Date.now();
            lock2.updateDelay = null;
            updateLock(file, options);
          });
        });
      }, lock2.updateDelay);
      if (lock2.updateTimeout.unref) {
        lock2.updateTimeout.unref();
      }
    }
    function setLockAsCompromised(file, lock2, err) {
      lock2.released = true;
      if (lock2.updateTimeout) {
        clearTimeout(lock2.updateTimeout);
      }
      if (locks[file] === lock2) {
        delete locks[file];
      }
      lock2.options.onCompromised(err);
    }
    function lock(file, options, callback) {
      options = {
        stale: 1e4,
        update: null,
        realpath: true,
        retries: 0,
        fs,
        onCompromised: (err) => {
          throw err;
        },
        ...options
      };
      options.retries = options.retries || 0;
      options.retries = typeof options.retries === "number" ? { retries: options.retries } : options.retries;
      options.stale = Math.max(options.stale || 0, 2e3);
      options.update = options.update == null ? options.stale / 2 : options.update || 0;
      options.update = Math.max(Math.min(options.update, options.stale / 2), 1e3);
      resolveCanonicalPath(file, options, (err, file2) => {
        if (err) {
          return callback(err);
        }
        const operation = retry.operation(options.retries);
        operation.attempt(() => {
          acquireLock(file2, options, (err2, mtime, mtimePrecision2) => {
            if (operation.retry(err2)) {
              return;
            }
            if (err2) {
              return callback(operation.mainError());
            }
            const lock2 = locks[file2] = {
              lockfilePath: getLockFile(file2, options),
              mtime,
              mtimePrecision: mtimePrecision2,
              options,
              lastUpdate: Date.now()
            };
            updateLock(file2, options);
            callback(null, (releasedCallback) => {
              if (lock2.released) {
                return releasedCallback && releasedCallback(Object.assign(new Error("Lock is already released"), { code: "ERELEASED" }));
              }
              unlock(file2, { ...options, realpath: false }, releasedCallback);
            });
          });
        });
      });
    }
    function unlock(file, options, callback) {
      options = {
        fs,
        realpath: true,
        ...options
      };
      resolveCanonicalPath(file, options, (err, file2) => {
        if (err) {
          return callback(err);
        }
        const lock2 = locks[file2];
        if (!lock2) {
          return callback(Object.assign(new Error("Lock is not acquired/owned by you"), { code: "ENOTACQUIRED" }));
        }
        lock2.updateTimeout && clearTimeout(lock2.updateTimeout);
        lock2.released = true;
        delete locks[file2];
        removeLock(file2, options, callback);
      });
    }
    function check(file, options, callback) {
      options = {
        stale: 1e4,
        realpath: true,
        fs,
        ...options
      };
      options.stale = Math.max(options.stale || 0, 2e3);
      resolveCanonicalPath(file, options, (err, file2) => {
        if (err) {
          return callback(err);
        }
        options.fs.stat(getLockFile(file2, options), (err2, stat4) => {
          if (err2) {
            return err2.code === "ENOENT" ? callback(null, false) : callback(err2);
          }
          return callback(null, !isLockStale(stat4, options));
        });
      });
    }
    function getLocks() {
      return locks;
    }
    onExit2(() => {
      for (const file in locks) {
        const options = locks[file].options;
        try {
          options.fs.rmdirSync(getLockFile(file, options));
        } catch (e) {
        }
      }
    });
    module.exports.lock = lock;
    module.exports.unlock = unlock;
    module.exports.check = check;
    module.exports.getLocks = getLocks;
  }
});

// ../../node_modules/proper-lockfile/lib/adapter.js
var require_adapter = __commonJS({
  "../../node_modules/proper-lockfile/lib/adapter.js"(exports, module) {
    "use strict";
    var fs = require_graceful_fs();
    function createSyncFs(fs2) {
      const methods = ["mkdir", "realpath", "stat", "rmdir", "utimes"];
      const newFs = { ...fs2 };
      methods.forEach((method) => {
        newFs[method] = (...args) => {
          const callback = args.pop();
          let ret;
          try {
            ret = fs2[`${method}Sync`](...args);
          } catch (err) {
            return callback(err);
          }
          callback(null, ret);
        };
      });
      return newFs;
    }
    function toPromise(method) {
      return (...args) => new Promise((resolve3, reject) => {
        args.push((err, result) => {
          if (err) {
            reject(err);
          } else {
            resolve3(result);
          }
        });
        method(...args);
      });
    }
    function toSync(method) {
      return (...args) => {
        let err;
        let result;
        args.push((_err, _result) => {
          err = _err;
          result = _result;
        });
        method(...args);
        if (err) {
          throw err;
        }
        return result;
      };
    }
    function toSyncOptions(options) {
      options = { ...options };
      options.fs = createSyncFs(options.fs || fs);
      if (typeof options.retries === "number" && options.retries > 0 || options.retries && typeof options.retries.retries === "number" && options.retries.retries > 0) {
        throw Object.assign(new Error("Cannot use retries with the sync api"), { code: "ESYNC" });
      }
      return options;
    }
    module.exports = {
      toPromise,
      toSync,
      toSyncOptions
    };
  }
});

// ../../node_modules/proper-lockfile/index.js
var require_proper_lockfile = __commonJS({
  "../../node_modules/proper-lockfile/index.js"(exports, module) {
    "use strict";
    var lockfile3 = require_lockfile();
    var { toPromise, toSync, toSyncOptions } = require_adapter();
    async function lock(file, options) {
      const release = await toPromise(lockfile3.lock)(file, options);
      return toPromise(release);
    }
    function lockSync(file, options) {
      const release = toSync(lockfile3.lock)(file, toSyncOptions(options));
      return toSync(release);
    }
    function unlock(file, options) {
      return toPromise(lockfile3.unlock)(file, options);
    }
    function unlockSync(file, options) {
      return toSync(lockfile3.unlock)(file, toSyncOptions(options));
    }
    function check(file, options) {
      return toPromise(lockfile3.check)(file, options);
    }
    function checkSync(file, options) {
      return toSync(lockfile3.check)(file, toSyncOptions(options));
    }
    module.exports = lock;
    module.exports.lock = lock;
    module.exports.unlock = unlock;
    module.exports.lockSync = lockSync;
    module.exports.unlockSync = unlockSync;
    module.exports.check = check;
    module.exports.checkSync = checkSync;
  }
});

// lib/input-error.js
var InputError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "InputError";
  }
};

// ../../packages/artifacts/lib/errors.js
var StoreError = class extends Error {
  /** See {@link StoreErrorCode}. */
  code;
  constructor(code, message, options) {
    super(message, options);
    this.name = "StoreError";
    this.code = code;
  }
};
function errnoCode(e) {
  const code = e?.code;
  return typeof code === "string" ? code : void 0;
}
function ioError(what, e) {
  if (e instanceof StoreError)
    return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new StoreError("io", `${what}: ${detail.replaceAll("\n", " ")}`, { cause: e });
}

// ../../packages/artifacts/lib/github-files.js
import * as fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";

// ../../node_modules/yocto-queue/index.js
var Node = class {
  value;
  next;
  constructor(value) {
    this.value = value;
  }
};
var Queue = class {
  #head;
  #tail;
  #size;
  constructor() {
    this.clear();
  }
  enqueue(value) {
    const node = new Node(value);
    if (this.#head) {
      this.#tail.next = node;
      this.#tail = node;
    } else {
      this.#head = node;
      this.#tail = node;
    }
    this.#size++;
  }
  dequeue() {
    const current = this.#head;
    if (!current) {
      return;
    }
    this.#head = this.#head.next;
    this.#size--;
    if (!this.#head) {
      this.#tail = void 0;
    }
    return current.value;
  }
  peek() {
    if (!this.#head) {
      return;
    }
    return this.#head.value;
  }
  clear() {
    this.#head = void 0;
    this.#tail = void 0;
    this.#size = 0;
  }
  get size() {
    return this.#size;
  }
  *[Symbol.iterator]() {
    let current = this.#head;
    while (current) {
      yield current.value;
      current = current.next;
    }
  }
  *drain() {
    while (this.#head) {
      yield this.dequeue();
    }
  }
};

// ../../packages/artifacts/node_modules/p-limit/index.js
function pLimit(concurrency) {
  let rejectOnClear = false;
  if (typeof concurrency === "object") {
    ({ concurrency, rejectOnClear = false } = concurrency);
  }
  validateConcurrency(concurrency);
  if (typeof rejectOnClear !== "boolean") {
    throw new TypeError("Expected `rejectOnClear` to be a boolean");
  }
  const queue = new Queue();
  let activeCount = 0;
  const resumeNext = () => {
    if (activeCount < concurrency && queue.size > 0) {
      activeCount++;
      queue.dequeue().run();
    }
  };
  const next = () => {
    activeCount--;
    resumeNext();
  };
  const run = async (function_, resolve3, arguments_) => {
    const result = (async () => function_(...arguments_))();
    resolve3(result);
    try {
      await result;
    } catch {
    }
    next();
  };
  const enqueue = (function_, resolve3, reject, arguments_) => {
    const queueItem = { reject };
    new Promise((internalResolve) => {
      queueItem.run = internalResolve;
      queue.enqueue(queueItem);
    }).then(run.bind(void 0, function_, resolve3, arguments_));
    if (activeCount < concurrency) {
      resumeNext();
    }
  };
  const generator = (function_, ...arguments_) => new Promise((resolve3, reject) => {
    enqueue(function_, resolve3, reject, arguments_);
  });
  Object.defineProperties(generator, {
    activeCount: {
      get: () => activeCount
    },
    pendingCount: {
      get: () => queue.size
    },
    clearQueue: {
      value() {
        if (!rejectOnClear) {
          queue.clear();
          return;
        }
        const abortError = AbortSignal.abort().reason;
        while (queue.size > 0) {
          queue.dequeue().reject(abortError);
        }
      }
    },
    concurrency: {
      get: () => concurrency,
      set(newConcurrency) {
        validateConcurrency(newConcurrency);
        concurrency = newConcurrency;
        queueMicrotask(() => {
          while (activeCount < concurrency && queue.size > 0) {
            resumeNext();
          }
        });
      }
    },
    map: {
      async value(iterable, function_) {
        const promises = [];
        try {
          Array.from(iterable, (value, index) => {
            const promise = generator(function_, value, index);
            promises.push(promise);
            return promise;
          });
        } catch (error2) {
          for (const promise of promises) {
            promise.catch(() => {
            });
          }
          throw error2;
        }
        return Promise.all(promises);
      }
    }
  });
  return generator;
}
function validateConcurrency(concurrency) {
  if (!((Number.isInteger(concurrency) || concurrency === Number.POSITIVE_INFINITY) && concurrency > 0)) {
    throw new TypeError("Expected `concurrency` to be a number from 1 and up");
  }
}

// ../../packages/artifacts/lib/limit.js
async function settleLimited(items, concurrency, fn) {
  const limit = pLimit(Math.max(1, concurrency));
  const settled = await Promise.allSettled(items.map((item, i2) => limit(() => fn(item, i2))));
  const failed = settled.find((s) => s.status === "rejected");
  if (failed)
    throw failed.reason;
  return settled.map((s) => s.value);
}

// ../../packages/artifacts/lib/github-files.js
var FILE_ARTIFACT_PREFIX = "dstack-file--";
var DEFAULT_LARGE_FILE_BYTES = 8 * 1024 * 1024;
function transferConcurrency(options) {
  const cpus = options.cpus ?? os.availableParallelism();
  return Math.max(1, Math.min(options.items, options.max ?? 4, Math.max(options.least ?? 2, cpus)));
}
async function withStagedName(file, name, fn) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "dstack-file-"));
  try {
    const staged = path.join(dir, name);
    await fsp.symlink(path.resolve(file), staged);
    return await fn(staged, dir);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
async function moveSingleFile(dir, dest) {
  const entries = await fsp.readdir(dir, { withFileTypes: true });
  const files = entries.filter((e) => e.isFile());
  if (entries.length !== 1 || files.length !== 1) {
    throw new Error(`expected one downloaded file in ${dir}, found ${entries.map((e) => e.name).join(", ") || "nothing"}`);
  }
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  await fsp.rename(path.join(dir, files[0].name), dest);
}
function watchBytes(dir, onBytes, everyMs = 500) {
  const poll = { busy: false, stopped: false };
  const timer = setInterval(() => {
    if (poll.busy)
      return;
    poll.busy = true;
    folderBytes(dir).then((bytes) => {
      if (!poll.stopped)
        onBytes(bytes);
    }).catch(() => void 0).finally(() => {
      poll.busy = false;
    });
  }, everyMs);
  timer.unref();
  return () => {
    poll.stopped = true;
    clearInterval(timer);
  };
}
async function folderBytes(dir) {
  const entries = await fsp.readdir(dir, { withFileTypes: true });
  const sizes = await Promise.all(entries.filter((e) => e.isFile()).map(async (e) => (await fsp.stat(path.join(dir, e.name))).size));
  return sizes.reduce((sum, n2) => sum + n2, 0);
}

// ../../packages/artifacts/lib/names.js
var NAME_RE = new RegExp(TAG_PATTERN);
var MAX_NAME_LENGTH = 200;
var FORBIDDEN = /[":<>|*?\r\n\\]/;
var DATA_ARTIFACT_PREFIX = "dstack--";
var ARCHIVE_ARTIFACT_PREFIX = "dstack-tar--";
var ARCHIVE_SUFFIXES = { gzip: ".tar.gz", plain: ".tar" };
var RUN_ARTIFACT_PREFIX = "dstack-run--";
var TAG_ARTIFACT_PREFIX = "dstack-tag--";
var TAG_FILE = "dstack-tag.json";
var RUN_FILE = "dstack-run.json";
function isValidName(name) {
  return typeof name === "string" && name.length <= MAX_NAME_LENGTH && NAME_RE.test(name);
}
function checkName(kind, name) {
  if (!isValidName(name)) {
    throw new StoreError("invalid", `${kind} ${JSON.stringify(name)} is not a valid ${kind} name; use letters, digits, ".", "_" and "-", starting with a letter or digit (at most ${MAX_NAME_LENGTH} characters)`);
  }
  return name;
}
function checkArtifactPath(value, options = {}) {
  const label = options.label ?? "artifact path";
  if (typeof value !== "string") {
    throw new StoreError("invalid", `${label}: expected a string, got ${JSON.stringify(value)}`);
  }
  if (value === "" && options.allowAll)
    return "";
  const checked = checkRepoPath(value);
  if ("error" in checked)
    throw new StoreError("invalid", `${label}: ${checked.error}`);
  if (checked.path === ".") {
    if (options.allowAll)
      return "";
    throw new StoreError("invalid", `${label}: ${JSON.stringify(value)} names no folder; give a relative path such as "model"`);
  }
  return checked.path;
}
function checkArtifactRunName(runName) {
  if (!isValidName(runName) || runName.includes("--")) {
    throw new StoreError("invalid", `run ${JSON.stringify(runName)} is not a valid run name for the GitHub store; use letters, digits, ".", "_" and single "-", starting with a letter or digit`);
  }
  return runName;
}
function checkArtifactTag(tag) {
  if (!isValidName(tag)) {
    throw new StoreError("invalid", `tag ${JSON.stringify(tag)} cannot be a GitHub artifact tag; use letters, digits, ".", "_" and "-", starting with a letter or digit (at most 200 characters)`);
  }
  return tag;
}
function encodeArtifactPath(artifactPath) {
  const checked = checkArtifactPath(artifactPath);
  const bad = FORBIDDEN.exec(checked);
  if (bad) {
    throw new StoreError("invalid", `artifact path ${JSON.stringify(checked)}: ${JSON.stringify(bad[0])} cannot be in a GitHub artifact name; rename it (not allowed: " : < > | * ? \\ and line breaks)`);
  }
  return checked.replace(/[%~/]/g, (c3) => c3 === "%" ? "%25" : c3 === "~" ? "%7E" : "~");
}
function decodeArtifactPath(slug) {
  return slug.replace(/%25|%7E|~/g, (s) => s === "%25" ? "%" : s === "%7E" ? "~" : "/");
}
function dataArtifactName(runName, artifactPath) {
  return `${DATA_ARTIFACT_PREFIX}${checkArtifactRunName(runName)}--${encodeArtifactPath(artifactPath)}`;
}
function archiveArtifactName(runName, artifactPath, options) {
  const suffix = options.gzip ? ARCHIVE_SUFFIXES.gzip : ARCHIVE_SUFFIXES.plain;
  return `${ARCHIVE_ARTIFACT_PREFIX}${checkArtifactRunName(runName)}--${encodeArtifactPath(artifactPath)}${suffix}`;
}
function parseRunArtifactName(name, runName) {
  for (const [prefix, kind] of [
    [`${DATA_ARTIFACT_PREFIX}${runName}--`, "zip"],
    [`${FILE_ARTIFACT_PREFIX}${runName}--`, "file"],
    [`${ARCHIVE_ARTIFACT_PREFIX}${runName}--`, "archive"]
  ]) {
    if (!name.startsWith(prefix))
      continue;
    let slug = name.slice(prefix.length);
    if (kind === "archive") {
      const suffix = [ARCHIVE_SUFFIXES.gzip, ARCHIVE_SUFFIXES.plain].find((x) => slug.endsWith(x));
      if (suffix === void 0)
        return void 0;
      slug = slug.slice(0, -suffix.length);
    }
    return { artifactPath: decodeArtifactPath(slug), kind };
  }
  return void 0;
}
function runArtifactName(runName) {
  return `${RUN_ARTIFACT_PREFIX}${checkArtifactRunName(runName)}`;
}
function tagArtifactName(tag) {
  return `${TAG_ARTIFACT_PREFIX}${checkArtifactTag(tag)}`;
}
function pullRequestTag(tag, pullRequest) {
  return `pr-${pullRequest}.${tag}`;
}
function pullRequestOfTag(tag) {
  const m = /^pr-(\d+)\./.exec(tag);
  return m ? Number(m[1]) : void 0;
}
function checkPullRequest(n2) {
  if (typeof n2 !== "number" || !Number.isSafeInteger(n2) || n2 < 1) {
    throw new StoreError("invalid", `pullRequest: ${JSON.stringify(n2)} is not a pull request number; expected a positive integer`);
  }
  return n2;
}

// ../../packages/spec/lib/policy-file.js
import { readFileSync } from "node:fs";
import { join } from "node:path";
function readPolicyFile(options) {
  const file = join(options.root, POLICY_FILE);
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (e.code === "ENOENT")
      return void 0;
    throw e;
  }
  const source = options.source ?? POLICY_FILE;
  const parsed = parsePolicy({ text, source });
  return {
    file,
    source,
    diagnostics: parsed.diagnostics,
    ..."policy" in parsed ? { policy: parsed.policy } : {}
  };
}

// ../../packages/spec/lib/workflows-files.js
import { existsSync, readdirSync, readFileSync as readFileSync2, statSync } from "node:fs";
import { basename, dirname, join as join2, relative, resolve } from "node:path";
var WorkflowsFileError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "WorkflowsFileError";
  }
};
function locateWorkflows(target, cwd) {
  const abs = resolve(cwd, target);
  if (!existsSync(abs)) {
    throw new WorkflowsFileError(`${target}: no such file or folder`);
  }
  if (statSync(abs).isFile()) {
    const parent = dirname(abs);
    const dstackDir = basename(parent) === ".dstack" ? parent : basename(dirname(parent)) === ".dstack" ? dirname(parent) : void 0;
    return { root: dstackDir ? dirname(dstackDir) : parent, files: [abs] };
  }
  const files = [];
  const main = join2(abs, WORKFLOWS_FILE);
  if (existsSync(main))
    files.push(main);
  const dir = join2(abs, WORKFLOWS_DIR);
  if (existsSync(dir) && statSync(dir).isDirectory()) {
    const names = readdirSync(dir).filter((n2) => /\.ya?ml$/.test(n2)).sort();
    files.push(...names.map((n2) => join2(dir, n2)));
  }
  if (files.length === 0) {
    throw new WorkflowsFileError(`${target}: no ${WORKFLOWS_FILE} or ${WORKFLOWS_DIR}/*.yaml here; create one (dstack schema prints its JSON Schema)`);
  }
  return { root: abs, files };
}
function loadWorkflows(target, cwd) {
  const location = locateWorkflows(target, cwd);
  const sources = location.files.map((file) => {
    try {
      return { path: relative(cwd, file) || file, text: readFileSync2(file, "utf8") };
    } catch (e) {
      throw new WorkflowsFileError(`${relative(cwd, file)}: cannot read (${e.code ?? e.message})`);
    }
  });
  const parsed = parseWorkflows({
    files: sources,
    fileExists: (repoPath) => existsSync(join2(location.root, repoPath))
  });
  return { ...parsed, ...location };
}

// ../../packages/executor/lib/interpreter.js
import { accessSync, constants as constants4, mkdirSync, readdirSync as readdirSync2, readFileSync as readFileSync5, renameSync, statSync as statSync3, writeFileSync as writeFileSync2 } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname as dirname2, join as join3 } from "node:path";

// ../../node_modules/is-plain-obj/index.js
function isPlainObject(value) {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const prototype = Object.getPrototypeOf(value);
  return (prototype === null || prototype === Object.prototype || Object.getPrototypeOf(prototype) === null) && !(Symbol.toStringTag in value) && !(Symbol.iterator in value);
}

// ../../node_modules/execa/lib/arguments/file-url.js
import { fileURLToPath } from "node:url";
var safeNormalizeFileUrl = (file, name) => {
  const fileString = normalizeFileUrl(normalizeDenoExecPath(file));
  if (typeof fileString !== "string") {
    throw new TypeError(`${name} must be a string or a file URL: ${fileString}.`);
  }
  return fileString;
};
var normalizeDenoExecPath = (file) => isDenoExecPath(file) ? file.toString() : file;
var isDenoExecPath = (file) => typeof file !== "string" && file && Object.getPrototypeOf(file) === String.prototype;
var normalizeFileUrl = (file) => file instanceof URL ? fileURLToPath(file) : file;

// ../../node_modules/execa/lib/methods/parameters.js
var normalizeParameters = (rawFile, rawArguments = [], rawOptions = {}) => {
  const filePath = safeNormalizeFileUrl(rawFile, "First argument");
  const [commandArguments, options] = isPlainObject(rawArguments) ? [[], rawArguments] : [rawArguments, rawOptions];
  if (!Array.isArray(commandArguments)) {
    throw new TypeError(`Second argument must be either an array of arguments or an options object: ${commandArguments}`);
  }
  if (commandArguments.some((commandArgument) => typeof commandArgument === "object" && commandArgument !== null)) {
    throw new TypeError(`Second argument must be an array of strings: ${commandArguments}`);
  }
  const normalizedArguments = commandArguments.map(String);
  const nullByteArgument = normalizedArguments.find((normalizedArgument) => normalizedArgument.includes("\0"));
  if (nullByteArgument !== void 0) {
    throw new TypeError(`Arguments cannot contain null bytes ("\\0"): ${nullByteArgument}`);
  }
  if (!isPlainObject(options)) {
    throw new TypeError(`Last argument must be an options object: ${options}`);
  }
  return [filePath, normalizedArguments, options];
};

// ../../node_modules/execa/lib/methods/template.js
import { ChildProcess } from "node:child_process";

// ../../node_modules/execa/lib/utils/uint-array.js
import { StringDecoder } from "node:string_decoder";
var { toString: objectToString } = Object.prototype;
var isArrayBuffer = (value) => objectToString.call(value) === "[object ArrayBuffer]";
var isUint8Array = (value) => objectToString.call(value) === "[object Uint8Array]";
var bufferToUint8Array = (buffer) => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
var textEncoder = new TextEncoder();
var stringToUint8Array = (string) => textEncoder.encode(string);
var textDecoder = new TextDecoder();
var uint8ArrayToString = (uint8Array) => textDecoder.decode(uint8Array);
var joinToString = (uint8ArraysOrStrings, encoding) => {
  const strings = uint8ArraysToStrings(uint8ArraysOrStrings, encoding);
  return strings.join("");
};
var uint8ArraysToStrings = (uint8ArraysOrStrings, encoding) => {
  if (encoding === "utf8" && uint8ArraysOrStrings.every((uint8ArrayOrString) => typeof uint8ArrayOrString === "string")) {
    return uint8ArraysOrStrings;
  }
  const decoder = new StringDecoder(encoding);
  const strings = uint8ArraysOrStrings.map((uint8ArrayOrString) => typeof uint8ArrayOrString === "string" ? stringToUint8Array(uint8ArrayOrString) : uint8ArrayOrString).map((uint8Array) => decoder.write(uint8Array));
  const finalString = decoder.end();
  return finalString === "" ? strings : [...strings, finalString];
};
var joinToUint8Array = (uint8ArraysOrStrings) => {
  if (uint8ArraysOrStrings.length === 1 && isUint8Array(uint8ArraysOrStrings[0])) {
    return uint8ArraysOrStrings[0];
  }
  return concatUint8Arrays(stringsToUint8Arrays(uint8ArraysOrStrings));
};
var stringsToUint8Arrays = (uint8ArraysOrStrings) => uint8ArraysOrStrings.map((uint8ArrayOrString) => typeof uint8ArrayOrString === "string" ? stringToUint8Array(uint8ArrayOrString) : uint8ArrayOrString);
var concatUint8Arrays = (uint8Arrays) => {
  const result = new Uint8Array(getJoinLength(uint8Arrays));
  let index = 0;
  for (const uint8Array of uint8Arrays) {
    result.set(uint8Array, index);
    index += uint8Array.length;
  }
  return result;
};
var getJoinLength = (uint8Arrays) => {
  let joinLength = 0;
  for (const uint8Array of uint8Arrays) {
    joinLength += uint8Array.length;
  }
  return joinLength;
};

// ../../node_modules/execa/lib/methods/template.js
var isTemplateString = (templates) => Array.isArray(templates) && Array.isArray(templates.raw);
var parseTemplates = (templates, expressions) => {
  let tokens = [];
  for (const [index, template] of templates.entries()) {
    tokens = parseTemplate({
      templates,
      expressions,
      tokens,
      index,
      template
    });
  }
  if (tokens.length === 0) {
    throw new TypeError("Template script must not be empty");
  }
  const [file, ...commandArguments] = tokens;
  return [file, commandArguments, {}];
};
var parseTemplate = ({ templates, expressions, tokens, index, template }) => {
  if (template === void 0) {
    throw new TypeError(`Invalid backslash sequence: ${templates.raw[index]}`);
  }
  const { nextTokens, leadingWhitespaces, trailingWhitespaces } = splitByWhitespaces(template, templates.raw[index]);
  const newTokens = concatTokens(tokens, nextTokens, leadingWhitespaces);
  if (index === expressions.length) {
    return newTokens;
  }
  const expression = expressions[index];
  const expressionTokens = Array.isArray(expression) ? expression.map((expression2) => parseExpression(expression2)) : [parseExpression(expression)];
  return concatTokens(newTokens, expressionTokens, trailingWhitespaces);
};
var splitByWhitespaces = (template, rawTemplate) => {
  if (rawTemplate.length === 0) {
    return { nextTokens: [], leadingWhitespaces: false, trailingWhitespaces: false };
  }
  const nextTokens = [];
  let templateStart = 0;
  const leadingWhitespaces = DELIMITERS.has(rawTemplate[0]);
  for (let templateIndex = 0, rawIndex = 0; templateIndex < template.length; templateIndex += 1, rawIndex += 1) {
    const rawCharacter = rawTemplate[rawIndex];
    if (DELIMITERS.has(rawCharacter)) {
      if (templateStart !== templateIndex) {
        nextTokens.push(template.slice(templateStart, templateIndex));
      }
      templateStart = templateIndex + 1;
    } else if (rawCharacter === "\\") {
      const nextRawCharacter = rawTemplate[rawIndex + 1];
      if (nextRawCharacter === "\n") {
        templateIndex -= 1;
        rawIndex += 1;
      } else if (nextRawCharacter === "u" && rawTemplate[rawIndex + 2] === "{") {
        rawIndex = rawTemplate.indexOf("}", rawIndex + 3);
      } else {
        rawIndex += ESCAPE_LENGTH[nextRawCharacter] ?? 1;
      }
    }
  }
  const trailingWhitespaces = templateStart === template.length;
  if (!trailingWhitespaces) {
    nextTokens.push(template.slice(templateStart));
  }
  return { nextTokens, leadingWhitespaces, trailingWhitespaces };
};
var DELIMITERS = /* @__PURE__ */ new Set([" ", "	", "\r", "\n"]);
var ESCAPE_LENGTH = { x: 3, u: 5 };
var concatTokens = (tokens, nextTokens, isSeparated) => isSeparated || tokens.length === 0 || nextTokens.length === 0 ? [...tokens, ...nextTokens] : [
  ...tokens.slice(0, -1),
  `${tokens.at(-1)}${nextTokens[0]}`,
  ...nextTokens.slice(1)
];
var parseExpression = (expression) => {
  const typeOfExpression = typeof expression;
  if (typeOfExpression === "string") {
    return expression;
  }
  if (typeOfExpression === "number") {
    return String(expression);
  }
  if (isPlainObject(expression) && ("stdout" in expression || "isMaxBuffer" in expression)) {
    return getSubprocessResult(expression);
  }
  if (expression instanceof ChildProcess || Object.prototype.toString.call(expression) === "[object Promise]") {
    throw new TypeError("Unexpected subprocess in template expression. Please use ${await subprocess} instead of ${subprocess}.");
  }
  throw new TypeError(`Unexpected "${typeOfExpression}" in template expression`);
};
var getSubprocessResult = ({ stdout }) => {
  if (typeof stdout === "string") {
    return stdout;
  }
  if (isUint8Array(stdout)) {
    return uint8ArrayToString(stdout);
  }
  if (stdout === void 0) {
    throw new TypeError(`Missing result.stdout in template expression. This is probably due to the previous subprocess' "stdout" option.`);
  }
  throw new TypeError(`Unexpected "${typeof stdout}" stdout in template expression`);
};

// ../../node_modules/execa/lib/methods/main-sync.js
import { spawnSync } from "node:child_process";

// ../../node_modules/execa/lib/arguments/specific.js
import { debuglog } from "node:util";

// ../../node_modules/execa/lib/utils/standard-stream.js
import process2 from "node:process";
var isStandardStream = (stream) => STANDARD_STREAMS.includes(stream);
var STANDARD_STREAMS = [process2.stdin, process2.stdout, process2.stderr];
var STANDARD_STREAMS_ALIASES = ["stdin", "stdout", "stderr"];
var getStreamName = (fdNumber) => STANDARD_STREAMS_ALIASES[fdNumber] ?? `stdio[${fdNumber}]`;

// ../../node_modules/execa/lib/arguments/specific.js
var normalizeFdSpecificOptions = (options) => {
  const optionsCopy = { ...options };
  for (const optionName of FD_SPECIFIC_OPTIONS) {
    optionsCopy[optionName] = normalizeFdSpecificOption(options, optionName);
  }
  return optionsCopy;
};
var normalizeFdSpecificOption = (options, optionName) => {
  const optionBaseArray = Array.from({ length: getStdioLength(options) + 1 });
  const optionArray = normalizeFdSpecificValue(options[optionName], optionBaseArray, optionName);
  return addDefaultValue(optionArray, optionName);
};
var getStdioLength = ({ stdio }) => Array.isArray(stdio) ? Math.max(stdio.length, STANDARD_STREAMS_ALIASES.length) : STANDARD_STREAMS_ALIASES.length;
var normalizeFdSpecificValue = (optionValue, optionArray, optionName) => isPlainObject(optionValue) ? normalizeOptionObject(optionValue, optionArray, optionName) : optionArray.fill(optionValue);
var normalizeOptionObject = (optionValue, optionArray, optionName) => {
  for (const fdName of Object.keys(optionValue).sort(compareFdName)) {
    for (const fdNumber of parseFdName(fdName, optionName, optionArray)) {
      optionArray[fdNumber] = optionValue[fdName];
    }
  }
  return optionArray;
};
var compareFdName = (fdNameA, fdNameB) => getFdNameOrder(fdNameA) < getFdNameOrder(fdNameB) ? 1 : -1;
var getFdNameOrder = (fdName) => {
  if (fdName === "stdout" || fdName === "stderr") {
    return 0;
  }
  return fdName === "all" ? 2 : 1;
};
var parseFdName = (fdName, optionName, optionArray) => {
  if (fdName === "ipc") {
    return [optionArray.length - 1];
  }
  const fdNumber = parseFd(fdName);
  if (fdNumber === void 0 || fdNumber === 0) {
    throw new TypeError(`"${optionName}.${fdName}" is invalid.
It must be "${optionName}.stdout", "${optionName}.stderr", "${optionName}.all", "${optionName}.ipc", or "${optionName}.fd3", "${optionName}.fd4" (and so on).`);
  }
  if (fdNumber >= optionArray.length) {
    throw new TypeError(`"${optionName}.${fdName}" is invalid: that file descriptor does not exist.
Please set the "stdio" option to ensure that file descriptor exists.`);
  }
  return fdNumber === "all" ? [1, 2] : [fdNumber];
};
var parseFd = (fdName) => {
  if (fdName === "all") {
    return fdName;
  }
  if (STANDARD_STREAMS_ALIASES.includes(fdName)) {
    return STANDARD_STREAMS_ALIASES.indexOf(fdName);
  }
  const regexpResult = FD_REGEXP.exec(fdName);
  if (regexpResult !== null) {
    return Number(regexpResult[1]);
  }
};
var FD_REGEXP = /^fd(\d+)$/;
var addDefaultValue = (optionArray, optionName) => optionArray.map((optionValue) => optionValue === void 0 ? DEFAULT_OPTIONS[optionName] : optionValue);
var verboseDefault = debuglog("execa").enabled ? "full" : "none";
var DEFAULT_OPTIONS = {
  lines: false,
  buffer: true,
  maxBuffer: 1e3 * 1e3 * 100,
  verbose: verboseDefault,
  stripFinalNewline: true
};
var FD_SPECIFIC_OPTIONS = ["lines", "buffer", "maxBuffer", "verbose", "stripFinalNewline"];
var getFdSpecificValue = (optionArray, fdNumber) => fdNumber === "ipc" ? optionArray.at(-1) : optionArray[fdNumber];

// ../../node_modules/execa/lib/verbose/values.js
var isVerbose = ({ verbose }, fdNumber) => getFdVerbose(verbose, fdNumber) !== "none";
var isFullVerbose = ({ verbose }, fdNumber) => !["none", "short"].includes(getFdVerbose(verbose, fdNumber));
var getVerboseFunction = ({ verbose }, fdNumber) => {
  const fdVerbose = getFdVerbose(verbose, fdNumber);
  return isVerboseFunction(fdVerbose) ? fdVerbose : void 0;
};
var getFdVerbose = (verbose, fdNumber) => fdNumber === void 0 ? getFdGenericVerbose(verbose) : getFdSpecificValue(verbose, fdNumber);
var getFdGenericVerbose = (verbose) => verbose.find((fdVerbose) => isVerboseFunction(fdVerbose)) ?? VERBOSE_VALUES.findLast((fdVerbose) => verbose.includes(fdVerbose));
var isVerboseFunction = (fdVerbose) => typeof fdVerbose === "function";
var VERBOSE_VALUES = ["none", "short", "full"];

// ../../node_modules/execa/lib/verbose/log.js
import { inspect } from "node:util";

// ../../node_modules/execa/lib/arguments/escape.js
import { platform } from "node:process";
import { stripVTControlCharacters } from "node:util";
var joinCommand = (filePath, rawArguments) => {
  const fileAndArguments = [filePath, ...rawArguments];
  const command = fileAndArguments.join(" ");
  const escapedCommand = fileAndArguments.map((fileAndArgument) => quoteString(escapeControlCharacters(fileAndArgument))).join(" ");
  return { command, escapedCommand };
};
var escapeLines = (lines) => stripVTControlCharacters(lines).split("\n").map((line) => escapeControlCharacters(line)).join("\n");
var escapeControlCharacters = (line) => line.replaceAll(SPECIAL_CHAR_REGEXP, (character) => escapeControlCharacter(character));
var escapeControlCharacter = (character) => {
  const commonEscape = COMMON_ESCAPES[character];
  if (commonEscape !== void 0) {
    return commonEscape;
  }
  const codepoint = character.codePointAt(0);
  const codepointHex = codepoint.toString(16);
  return codepoint <= ASTRAL_START ? `\\u${codepointHex.padStart(4, "0")}` : `\\U${codepointHex}`;
};
var getSpecialCharRegExp = () => {
  try {
    return new RegExp("\\p{Separator}|\\p{Other}", "gu");
  } catch {
    return /[\s\u0000-\u001F\u007F-\u009F\u00AD]/g;
  }
};
var SPECIAL_CHAR_REGEXP = getSpecialCharRegExp();
var COMMON_ESCAPES = {
  " ": " ",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "	": "\\t"
};
var ASTRAL_START = 65535;
var quoteString = (escapedArgument) => {
  if (NO_ESCAPE_REGEXP.test(escapedArgument)) {
    return escapedArgument;
  }
  return platform === "win32" ? `"${escapedArgument.replaceAll('"', '""')}"` : `'${escapedArgument.replaceAll("'", "'\\''")}'`;
};
var NO_ESCAPE_REGEXP = /^[\w./-]+$/;

// ../../node_modules/is-unicode-supported/index.js
import process3 from "node:process";
function isUnicodeSupported() {
  const { env } = process3;
  const { TERM, TERM_PROGRAM } = env;
  if (process3.platform !== "win32") {
    return TERM !== "linux";
  }
  return Boolean(env.WT_SESSION) || Boolean(env.TERMINUS_SUBLIME) || env.ConEmuTask === "{cmd::Cmder}" || TERM_PROGRAM === "Terminus-Sublime" || TERM_PROGRAM === "vscode" || TERM === "xterm-256color" || TERM === "alacritty" || TERM === "rxvt-unicode" || TERM === "rxvt-unicode-256color" || env.TERMINAL_EMULATOR === "JetBrains-JediTerm";
}

// ../../node_modules/figures/index.js
var common = {
  circleQuestionMark: "(?)",
  questionMarkPrefix: "(?)",
  square: "\u2588",
  squareDarkShade: "\u2593",
  squareMediumShade: "\u2592",
  squareLightShade: "\u2591",
  squareTop: "\u2580",
  squareBottom: "\u2584",
  squareLeft: "\u258C",
  squareRight: "\u2590",
  squareCenter: "\u25A0",
  bullet: "\u25CF",
  dot: "\u2024",
  ellipsis: "\u2026",
  pointerSmall: "\u203A",
  triangleUp: "\u25B2",
  triangleUpSmall: "\u25B4",
  triangleDown: "\u25BC",
  triangleDownSmall: "\u25BE",
  triangleLeftSmall: "\u25C2",
  triangleRightSmall: "\u25B8",
  home: "\u2302",
  heart: "\u2665",
  musicNote: "\u266A",
  musicNoteBeamed: "\u266B",
  arrowUp: "\u2191",
  arrowDown: "\u2193",
  arrowLeft: "\u2190",
  arrowRight: "\u2192",
  arrowLeftRight: "\u2194",
  arrowUpDown: "\u2195",
  almostEqual: "\u2248",
  notEqual: "\u2260",
  lessOrEqual: "\u2264",
  greaterOrEqual: "\u2265",
  identical: "\u2261",
  infinity: "\u221E",
  subscriptZero: "\u2080",
  subscriptOne: "\u2081",
  subscriptTwo: "\u2082",
  subscriptThree: "\u2083",
  subscriptFour: "\u2084",
  subscriptFive: "\u2085",
  subscriptSix: "\u2086",
  subscriptSeven: "\u2087",
  subscriptEight: "\u2088",
  subscriptNine: "\u2089",
  oneHalf: "\xBD",
  oneThird: "\u2153",
  oneQuarter: "\xBC",
  oneFifth: "\u2155",
  oneSixth: "\u2159",
  oneEighth: "\u215B",
  twoThirds: "\u2154",
  twoFifths: "\u2156",
  threeQuarters: "\xBE",
  threeFifths: "\u2157",
  threeEighths: "\u215C",
  fourFifths: "\u2158",
  fiveSixths: "\u215A",
  fiveEighths: "\u215D",
  sevenEighths: "\u215E",
  line: "\u2500",
  lineBold: "\u2501",
  lineDouble: "\u2550",
  lineDashed0: "\u2504",
  lineDashed1: "\u2505",
  lineDashed2: "\u2508",
  lineDashed3: "\u2509",
  lineDashed4: "\u254C",
  lineDashed5: "\u254D",
  lineDashed6: "\u2574",
  lineDashed7: "\u2576",
  lineDashed8: "\u2578",
  lineDashed9: "\u257A",
  lineDashed10: "\u257C",
  lineDashed11: "\u257E",
  lineDashed12: "\u2212",
  lineDashed13: "\u2013",
  lineDashed14: "\u2010",
  lineDashed15: "\u2043",
  lineVertical: "\u2502",
  lineVerticalBold: "\u2503",
  lineVerticalDouble: "\u2551",
  lineVerticalDashed0: "\u2506",
  lineVerticalDashed1: "\u2507",
  lineVerticalDashed2: "\u250A",
  lineVerticalDashed3: "\u250B",
  lineVerticalDashed4: "\u254E",
  lineVerticalDashed5: "\u254F",
  lineVerticalDashed6: "\u2575",
  lineVerticalDashed7: "\u2577",
  lineVerticalDashed8: "\u2579",
  lineVerticalDashed9: "\u257B",
  lineVerticalDashed10: "\u257D",
  lineVerticalDashed11: "\u257F",
  lineDownLeft: "\u2510",
  lineDownLeftArc: "\u256E",
  lineDownBoldLeftBold: "\u2513",
  lineDownBoldLeft: "\u2512",
  lineDownLeftBold: "\u2511",
  lineDownDoubleLeftDouble: "\u2557",
  lineDownDoubleLeft: "\u2556",
  lineDownLeftDouble: "\u2555",
  lineDownRight: "\u250C",
  lineDownRightArc: "\u256D",
  lineDownBoldRightBold: "\u250F",
  lineDownBoldRight: "\u250E",
  lineDownRightBold: "\u250D",
  lineDownDoubleRightDouble: "\u2554",
  lineDownDoubleRight: "\u2553",
  lineDownRightDouble: "\u2552",
  lineUpLeft: "\u2518",
  lineUpLeftArc: "\u256F",
  lineUpBoldLeftBold: "\u251B",
  lineUpBoldLeft: "\u251A",
  lineUpLeftBold: "\u2519",
  lineUpDoubleLeftDouble: "\u255D",
  lineUpDoubleLeft: "\u255C",
  lineUpLeftDouble: "\u255B",
  lineUpRight: "\u2514",
  lineUpRightArc: "\u2570",
  lineUpBoldRightBold: "\u2517",
  lineUpBoldRight: "\u2516",
  lineUpRightBold: "\u2515",
  lineUpDoubleRightDouble: "\u255A",
  lineUpDoubleRight: "\u2559",
  lineUpRightDouble: "\u2558",
  lineUpDownLeft: "\u2524",
  lineUpBoldDownBoldLeftBold: "\u252B",
  lineUpBoldDownBoldLeft: "\u2528",
  lineUpDownLeftBold: "\u2525",
  lineUpBoldDownLeftBold: "\u2529",
  lineUpDownBoldLeftBold: "\u252A",
  lineUpDownBoldLeft: "\u2527",
  lineUpBoldDownLeft: "\u2526",
  lineUpDoubleDownDoubleLeftDouble: "\u2563",
  lineUpDoubleDownDoubleLeft: "\u2562",
  lineUpDownLeftDouble: "\u2561",
  lineUpDownRight: "\u251C",
  lineUpBoldDownBoldRightBold: "\u2523",
  lineUpBoldDownBoldRight: "\u2520",
  lineUpDownRightBold: "\u251D",
  lineUpBoldDownRightBold: "\u2521",
  lineUpDownBoldRightBold: "\u2522",
  lineUpDownBoldRight: "\u251F",
  lineUpBoldDownRight: "\u251E",
  lineUpDoubleDownDoubleRightDouble: "\u2560",
  lineUpDoubleDownDoubleRight: "\u255F",
  lineUpDownRightDouble: "\u255E",
  lineDownLeftRight: "\u252C",
  lineDownBoldLeftBoldRightBold: "\u2533",
  lineDownLeftBoldRightBold: "\u252F",
  lineDownBoldLeftRight: "\u2530",
  lineDownBoldLeftBoldRight: "\u2531",
  lineDownBoldLeftRightBold: "\u2532",
  lineDownLeftRightBold: "\u252E",
  lineDownLeftBoldRight: "\u252D",
  lineDownDoubleLeftDoubleRightDouble: "\u2566",
  lineDownDoubleLeftRight: "\u2565",
  lineDownLeftDoubleRightDouble: "\u2564",
  lineUpLeftRight: "\u2534",
  lineUpBoldLeftBoldRightBold: "\u253B",
  lineUpLeftBoldRightBold: "\u2537",
  lineUpBoldLeftRight: "\u2538",
  lineUpBoldLeftBoldRight: "\u2539",
  lineUpBoldLeftRightBold: "\u253A",
  lineUpLeftRightBold: "\u2536",
  lineUpLeftBoldRight: "\u2535",
  lineUpDoubleLeftDoubleRightDouble: "\u2569",
  lineUpDoubleLeftRight: "\u2568",
  lineUpLeftDoubleRightDouble: "\u2567",
  lineUpDownLeftRight: "\u253C",
  lineUpBoldDownBoldLeftBoldRightBold: "\u254B",
  lineUpDownBoldLeftBoldRightBold: "\u2548",
  lineUpBoldDownLeftBoldRightBold: "\u2547",
  lineUpBoldDownBoldLeftRightBold: "\u254A",
  lineUpBoldDownBoldLeftBoldRight: "\u2549",
  lineUpBoldDownLeftRight: "\u2540",
  lineUpDownBoldLeftRight: "\u2541",
  lineUpDownLeftBoldRight: "\u253D",
  lineUpDownLeftRightBold: "\u253E",
  lineUpBoldDownBoldLeftRight: "\u2542",
  lineUpDownLeftBoldRightBold: "\u253F",
  lineUpBoldDownLeftBoldRight: "\u2543",
  lineUpBoldDownLeftRightBold: "\u2544",
  lineUpDownBoldLeftBoldRight: "\u2545",
  lineUpDownBoldLeftRightBold: "\u2546",
  lineUpDoubleDownDoubleLeftDoubleRightDouble: "\u256C",
  lineUpDoubleDownDoubleLeftRight: "\u256B",
  lineUpDownLeftDoubleRightDouble: "\u256A",
  lineCross: "\u2573",
  lineBackslash: "\u2572",
  lineSlash: "\u2571"
};
var specialMainSymbols = {
  tick: "\u2714",
  info: "\u2139",
  warning: "\u26A0",
  cross: "\u2718",
  squareSmall: "\u25FB",
  squareSmallFilled: "\u25FC",
  circle: "\u25EF",
  circleFilled: "\u25C9",
  circleDotted: "\u25CC",
  circleDouble: "\u25CE",
  circleCircle: "\u24DE",
  circleCross: "\u24E7",
  circlePipe: "\u24BE",
  radioOn: "\u25C9",
  radioOff: "\u25EF",
  checkboxOn: "\u2612",
  checkboxOff: "\u2610",
  checkboxCircleOn: "\u24E7",
  checkboxCircleOff: "\u24BE",
  pointer: "\u276F",
  triangleUpOutline: "\u25B3",
  triangleLeft: "\u25C0",
  triangleRight: "\u25B6",
  lozenge: "\u25C6",
  lozengeOutline: "\u25C7",
  hamburger: "\u2630",
  smiley: "\u32E1",
  mustache: "\u0DF4",
  star: "\u2605",
  play: "\u25B6",
  nodejs: "\u2B22",
  oneSeventh: "\u2150",
  oneNinth: "\u2151",
  oneTenth: "\u2152"
};
var specialFallbackSymbols = {
  tick: "\u221A",
  info: "i",
  warning: "\u203C",
  cross: "\xD7",
  squareSmall: "\u25A1",
  squareSmallFilled: "\u25A0",
  circle: "( )",
  circleFilled: "(*)",
  circleDotted: "( )",
  circleDouble: "( )",
  circleCircle: "(\u25CB)",
  circleCross: "(\xD7)",
  circlePipe: "(\u2502)",
  radioOn: "(*)",
  radioOff: "( )",
  checkboxOn: "[\xD7]",
  checkboxOff: "[ ]",
  checkboxCircleOn: "(\xD7)",
  checkboxCircleOff: "( )",
  pointer: ">",
  triangleUpOutline: "\u2206",
  triangleLeft: "\u25C4",
  triangleRight: "\u25BA",
  lozenge: "\u2666",
  lozengeOutline: "\u25CA",
  hamburger: "\u2261",
  smiley: "\u263A",
  mustache: "\u250C\u2500\u2510",
  star: "\u2736",
  play: "\u25BA",
  nodejs: "\u2666",
  oneSeventh: "1/7",
  oneNinth: "1/9",
  oneTenth: "1/10"
};
var mainSymbols = { ...common, ...specialMainSymbols };
var fallbackSymbols = { ...common, ...specialFallbackSymbols };
var shouldUseMain = isUnicodeSupported();
var figures = shouldUseMain ? mainSymbols : fallbackSymbols;
var figures_default = figures;
var replacements = Object.entries(specialMainSymbols);

// ../../node_modules/yoctocolors/base.js
import tty from "node:tty";
var hasColors = tty?.WriteStream?.prototype?.hasColors?.() ?? false;
var format = (open, close) => {
  if (!hasColors) {
    return (input) => input;
  }
  const openCode = `\x1B[${open}m`;
  const closeCode = `\x1B[${close}m`;
  return (input) => {
    const string = input + "";
    let index = string.indexOf(closeCode);
    if (index === -1) {
      return openCode + string + closeCode;
    }
    let result = openCode;
    let lastIndex = 0;
    const reopenOnNestedClose = close === 22;
    const replaceCode = (reopenOnNestedClose ? closeCode : "") + openCode;
    while (index !== -1) {
      result += string.slice(lastIndex, index) + replaceCode;
      lastIndex = index + closeCode.length;
      index = string.indexOf(closeCode, lastIndex);
    }
    result += string.slice(lastIndex) + closeCode;
    return result;
  };
};
var reset = format(0, 0);
var bold = format(1, 22);
var dim = format(2, 22);
var italic = format(3, 23);
var underline = format(4, 24);
var underlineDouble = format("4:2", 24);
var underlineCurly = format("4:3", 24);
var underlineDotted = format("4:4", 24);
var underlineDashed = format("4:5", 24);
var overline = format(53, 55);
var inverse = format(7, 27);
var hidden = format(8, 28);
var strikethrough = format(9, 29);
var black = format(30, 39);
var red = format(31, 39);
var green = format(32, 39);
var yellow = format(33, 39);
var blue = format(34, 39);
var magenta = format(35, 39);
var cyan = format(36, 39);
var white = format(37, 39);
var gray = format(90, 39);
var bgBlack = format(40, 49);
var bgRed = format(41, 49);
var bgGreen = format(42, 49);
var bgYellow = format(43, 49);
var bgBlue = format(44, 49);
var bgMagenta = format(45, 49);
var bgCyan = format(46, 49);
var bgWhite = format(47, 49);
var bgGray = format(100, 49);
var redBright = format(91, 39);
var greenBright = format(92, 39);
var yellowBright = format(93, 39);
var blueBright = format(94, 39);
var magentaBright = format(95, 39);
var cyanBright = format(96, 39);
var whiteBright = format(97, 39);
var bgRedBright = format(101, 49);
var bgGreenBright = format(102, 49);
var bgYellowBright = format(103, 49);
var bgBlueBright = format(104, 49);
var bgMagentaBright = format(105, 49);
var bgCyanBright = format(106, 49);
var bgWhiteBright = format(107, 49);
var underlineBlack = format("58;5;0", 59);
var underlineRed = format("58;5;1", 59);
var underlineGreen = format("58;5;2", 59);
var underlineYellow = format("58;5;3", 59);
var underlineBlue = format("58;5;4", 59);
var underlineMagenta = format("58;5;5", 59);
var underlineCyan = format("58;5;6", 59);
var underlineWhite = format("58;5;7", 59);
var underlineGray = format("58;5;8", 59);
var underlineRedBright = format("58;5;9", 59);
var underlineGreenBright = format("58;5;10", 59);
var underlineYellowBright = format("58;5;11", 59);
var underlineBlueBright = format("58;5;12", 59);
var underlineMagentaBright = format("58;5;13", 59);
var underlineCyanBright = format("58;5;14", 59);
var underlineWhiteBright = format("58;5;15", 59);

// ../../node_modules/execa/lib/verbose/default.js
var defaultVerboseFunction = ({
  type,
  message,
  timestamp,
  piped,
  commandId,
  result: { failed = false } = {},
  options: { reject = true }
}) => {
  const timestampString = serializeTimestamp(timestamp);
  const icon = ICONS[type]({ failed, reject, piped });
  const color = COLORS[type]({ reject });
  return `${gray(`[${timestampString}]`)} ${gray(`[${commandId}]`)} ${color(icon)} ${color(message)}`;
};
var serializeTimestamp = (timestamp) => `${padField(timestamp.getHours(), 2)}:${padField(timestamp.getMinutes(), 2)}:${padField(timestamp.getSeconds(), 2)}.${padField(timestamp.getMilliseconds(), 3)}`;
var padField = (field, padding) => String(field).padStart(padding, "0");
var getFinalIcon = ({ failed, reject }) => {
  if (!failed) {
    return figures_default.tick;
  }
  return reject ? figures_default.cross : figures_default.warning;
};
var ICONS = {
  command: ({ piped }) => piped ? "|" : "$",
  output: () => " ",
  ipc: () => "*",
  error: getFinalIcon,
  duration: getFinalIcon
};
var identity = (string) => string;
var COLORS = {
  command: () => bold,
  output: () => identity,
  ipc: () => identity,
  error: ({ reject }) => reject ? redBright : yellowBright,
  duration: () => gray
};

// ../../node_modules/execa/lib/verbose/custom.js
var applyVerboseOnLines = (printedLines, verboseInfo, fdNumber) => {
  const verboseFunction = getVerboseFunction(verboseInfo, fdNumber);
  return printedLines.map(({ verboseLine, verboseObject }) => applyVerboseFunction(verboseLine, verboseObject, verboseFunction)).filter((printedLine) => printedLine !== void 0).map((printedLine) => appendNewline(printedLine)).join("");
};
var applyVerboseFunction = (verboseLine, verboseObject, verboseFunction) => {
  if (verboseFunction === void 0) {
    return verboseLine;
  }
  const printedLine = verboseFunction(verboseLine, verboseObject);
  if (typeof printedLine === "string") {
    return printedLine;
  }
};
var appendNewline = (printedLine) => printedLine.endsWith("\n") ? printedLine : `${printedLine}
`;

// ../../node_modules/execa/lib/verbose/log.js
var verboseLog = ({ type, verboseMessage, fdNumber, verboseInfo, result }) => {
  const verboseObject = getVerboseObject({ type, result, verboseInfo });
  const printedLines = getPrintedLines(verboseMessage, verboseObject);
  const finalLines = applyVerboseOnLines(printedLines, verboseInfo, fdNumber);
  if (finalLines !== "") {
    console.warn(finalLines.slice(0, -1));
  }
};
var getVerboseObject = ({
  type,
  result,
  verboseInfo: { escapedCommand, commandId, rawOptions: { piped = false, ...options } }
}) => ({
  type,
  escapedCommand,
  commandId: `${commandId}`,
  timestamp: /* @__PURE__ */ new Date(),
  piped,
  result,
  options
});
var getPrintedLines = (verboseMessage, verboseObject) => verboseMessage.split("\n").map((message) => getPrintedLine({ ...verboseObject, message }));
var getPrintedLine = (verboseObject) => {
  const verboseLine = defaultVerboseFunction(verboseObject);
  return { verboseLine, verboseObject };
};
var serializeVerboseMessage = (message) => {
  const messageString = typeof message === "string" ? message : inspect(message);
  const escapedMessage = escapeLines(messageString);
  return escapedMessage.replaceAll("	", " ".repeat(TAB_SIZE));
};
var TAB_SIZE = 2;

// ../../node_modules/execa/lib/verbose/start.js
var logCommand = (escapedCommand, verboseInfo) => {
  if (!isVerbose(verboseInfo)) {
    return;
  }
  verboseLog({
    type: "command",
    verboseMessage: escapedCommand,
    verboseInfo
  });
};

// ../../node_modules/execa/lib/verbose/info.js
var getVerboseInfo = (verbose, escapedCommand, rawOptions) => {
  validateVerbose(verbose);
  const commandId = getCommandId(verbose);
  return {
    verbose,
    escapedCommand,
    commandId,
    rawOptions
  };
};
var getCommandId = (verbose) => isVerbose({ verbose }) ? COMMAND_ID++ : void 0;
var COMMAND_ID = 0n;
var validateVerbose = (verbose) => {
  for (const fdVerbose of verbose) {
    if (fdVerbose === false) {
      throw new TypeError(`The "verbose: false" option was renamed to "verbose: 'none'".`);
    }
    if (fdVerbose === true) {
      throw new TypeError(`The "verbose: true" option was renamed to "verbose: 'short'".`);
    }
    if (!VERBOSE_VALUES.includes(fdVerbose) && !isVerboseFunction(fdVerbose)) {
      const allowedValues = VERBOSE_VALUES.map((allowedValue) => `'${allowedValue}'`).join(", ");
      throw new TypeError(`The "verbose" option must not be ${fdVerbose}. Allowed values are: ${allowedValues} or a function.`);
    }
  }
};

// ../../node_modules/execa/lib/return/duration.js
import { hrtime } from "node:process";
var getStartTime = () => hrtime.bigint();
var getDurationMs = (startTime) => Number(hrtime.bigint() - startTime) / 1e6;

// ../../node_modules/execa/lib/arguments/command.js
var handleCommand = (filePath, rawArguments, rawOptions) => {
  const startTime = getStartTime();
  const { command, escapedCommand } = joinCommand(filePath, rawArguments);
  const verbose = normalizeFdSpecificOption(rawOptions, "verbose");
  const verboseInfo = getVerboseInfo(verbose, escapedCommand, { ...rawOptions });
  logCommand(escapedCommand, verboseInfo);
  return {
    command,
    escapedCommand,
    startTime,
    verboseInfo
  };
};

// ../../node_modules/execa/lib/arguments/options.js
var import_cross_spawn = __toESM(require_cross_spawn(), 1);
import path6 from "node:path";
import process6 from "node:process";

// ../../node_modules/npm-run-path/index.js
import process4 from "node:process";
import path3 from "node:path";

// ../../node_modules/npm-run-path/node_modules/path-key/index.js
function pathKey(options = {}) {
  const {
    env = process.env,
    platform: platform2 = process.platform
  } = options;
  if (platform2 !== "win32") {
    return "PATH";
  }
  return Object.keys(env).reverse().find((key) => key.toUpperCase() === "PATH") || "Path";
}

// ../../node_modules/unicorn-magic/node.js
import { promisify } from "node:util";
import { execFile as execFileCallback, execFileSync as execFileSyncOriginal } from "node:child_process";
import path2 from "node:path";
import { fileURLToPath as fileURLToPath2 } from "node:url";
var execFileOriginal = promisify(execFileCallback);
function toPath(urlOrPath) {
  return urlOrPath instanceof URL ? fileURLToPath2(urlOrPath) : urlOrPath;
}
function traversePathUp(startPath) {
  return {
    *[Symbol.iterator]() {
      let currentPath = path2.resolve(toPath(startPath));
      let previousPath;
      while (previousPath !== currentPath) {
        yield currentPath;
        previousPath = currentPath;
        currentPath = path2.resolve(currentPath, "..");
      }
    }
  };
}
var TEN_MEGABYTES_IN_BYTES = 10 * 1024 * 1024;

// ../../node_modules/npm-run-path/index.js
var npmRunPath = ({
  cwd = process4.cwd(),
  path: pathOption = process4.env[pathKey()],
  preferLocal = true,
  execPath: execPath2 = process4.execPath,
  addExecPath = true
} = {}) => {
  const cwdPath = path3.resolve(toPath(cwd));
  const result = [];
  const pathParts = pathOption.split(path3.delimiter);
  if (preferLocal) {
    applyPreferLocal(result, pathParts, cwdPath);
  }
  if (addExecPath) {
    applyExecPath(result, pathParts, execPath2, cwdPath);
  }
  return pathOption === "" || pathOption === path3.delimiter ? `${result.join(path3.delimiter)}${pathOption}` : [...result, pathOption].join(path3.delimiter);
};
var applyPreferLocal = (result, pathParts, cwdPath) => {
  for (const directory of traversePathUp(cwdPath)) {
    const pathPart = path3.join(directory, "node_modules/.bin");
    if (!pathParts.includes(pathPart)) {
      result.push(pathPart);
    }
  }
};
var applyExecPath = (result, pathParts, execPath2, cwdPath) => {
  const pathPart = path3.resolve(cwdPath, toPath(execPath2), "..");
  if (!pathParts.includes(pathPart)) {
    result.push(pathPart);
  }
};
var npmRunPathEnv = ({ env = process4.env, ...options } = {}) => {
  env = { ...env };
  const pathName = pathKey({ env });
  options.path = env[pathName];
  env[pathName] = npmRunPath(options);
  return env;
};

// ../../node_modules/execa/lib/terminate/kill.js
import { setTimeout as setTimeout2 } from "node:timers/promises";

// ../../node_modules/execa/lib/return/final-error.js
var getFinalError = (originalError, message, isSync) => {
  const ErrorClass = isSync ? ExecaSyncError : ExecaError;
  const options = originalError instanceof DiscardedError ? {} : { cause: originalError };
  return new ErrorClass(message, options);
};
var DiscardedError = class extends Error {
};
var setErrorName = (ErrorClass, value) => {
  Object.defineProperty(ErrorClass.prototype, "name", {
    value,
    writable: true,
    enumerable: false,
    configurable: true
  });
  Object.defineProperty(ErrorClass.prototype, execaErrorSymbol, {
    value: true,
    writable: false,
    enumerable: false,
    configurable: false
  });
};
var isExecaError = (error2) => isErrorInstance(error2) && execaErrorSymbol in error2;
var execaErrorSymbol = /* @__PURE__ */ Symbol("isExecaError");
var isErrorInstance = (value) => Object.prototype.toString.call(value) === "[object Error]";
var ExecaError = class extends Error {
};
setErrorName(ExecaError, ExecaError.name);
var ExecaSyncError = class extends Error {
};
setErrorName(ExecaSyncError, ExecaSyncError.name);

// ../../node_modules/execa/lib/terminate/signal.js
import { constants as constants3 } from "node:os";

// ../../node_modules/human-signals/build/src/main.js
import { constants as constants2 } from "node:os";

// ../../node_modules/human-signals/build/src/realtime.js
var getRealtimeSignals = () => {
  const length = SIGRTMAX - SIGRTMIN + 1;
  return Array.from({ length }, getRealtimeSignal);
};
var getRealtimeSignal = (value, index) => ({
  name: `SIGRT${index + 1}`,
  number: SIGRTMIN + index,
  action: "terminate",
  description: "Application-specific signal (realtime)",
  standard: "posix"
});
var SIGRTMIN = 34;
var SIGRTMAX = 64;

// ../../node_modules/human-signals/build/src/signals.js
import { constants } from "node:os";

// ../../node_modules/human-signals/build/src/core.js
var SIGNALS = [
  {
    name: "SIGHUP",
    number: 1,
    action: "terminate",
    description: "Terminal closed",
    standard: "posix"
  },
  {
    name: "SIGINT",
    number: 2,
    action: "terminate",
    description: "User interruption with CTRL-C",
    standard: "ansi"
  },
  {
    name: "SIGQUIT",
    number: 3,
    action: "core",
    description: "User interruption with CTRL-\\",
    standard: "posix"
  },
  {
    name: "SIGILL",
    number: 4,
    action: "core",
    description: "Invalid machine instruction",
    standard: "ansi"
  },
  {
    name: "SIGTRAP",
    number: 5,
    action: "core",
    description: "Debugger breakpoint",
    standard: "posix"
  },
  {
    name: "SIGABRT",
    number: 6,
    action: "core",
    description: "Aborted",
    standard: "ansi"
  },
  {
    name: "SIGIOT",
    number: 6,
    action: "core",
    description: "Aborted",
    standard: "bsd"
  },
  {
    name: "SIGBUS",
    number: 7,
    action: "core",
    description: "Bus error due to misaligned, non-existing address or paging error",
    standard: "bsd"
  },
  {
    name: "SIGEMT",
    number: 7,
    action: "terminate",
    description: "Command should be emulated but is not implemented",
    standard: "other"
  },
  {
    name: "SIGFPE",
    number: 8,
    action: "core",
    description: "Floating point arithmetic error",
    standard: "ansi"
  },
  {
    name: "SIGKILL",
    number: 9,
    action: "terminate",
    description: "Forced termination",
    standard: "posix",
    forced: true
  },
  {
    name: "SIGUSR1",
    number: 10,
    action: "terminate",
    description: "Application-specific signal",
    standard: "posix"
  },
  {
    name: "SIGSEGV",
    number: 11,
    action: "core",
    description: "Segmentation fault",
    standard: "ansi"
  },
  {
    name: "SIGUSR2",
    number: 12,
    action: "terminate",
    description: "Application-specific signal",
    standard: "posix"
  },
  {
    name: "SIGPIPE",
    number: 13,
    action: "terminate",
    description: "Broken pipe or socket",
    standard: "posix"
  },
  {
    name: "SIGALRM",
    number: 14,
    action: "terminate",
    description: "Timeout or timer",
    standard: "posix"
  },
  {
    name: "SIGTERM",
    number: 15,
    action: "terminate",
    description: "Termination",
    standard: "ansi"
  },
  {
    name: "SIGSTKFLT",
    number: 16,
    action: "terminate",
    description: "Stack is empty or overflowed",
    standard: "other"
  },
  {
    name: "SIGCHLD",
    number: 17,
    action: "ignore",
    description: "Child process terminated, paused or unpaused",
    standard: "posix"
  },
  {
    name: "SIGCLD",
    number: 17,
    action: "ignore",
    description: "Child process terminated, paused or unpaused",
    standard: "other"
  },
  {
    name: "SIGCONT",
    number: 18,
    action: "unpause",
    description: "Unpaused",
    standard: "posix",
    forced: true
  },
  {
    name: "SIGSTOP",
    number: 19,
    action: "pause",
    description: "Paused",
    standard: "posix",
    forced: true
  },
  {
    name: "SIGTSTP",
    number: 20,
    action: "pause",
    description: 'Paused using CTRL-Z or "suspend"',
    standard: "posix"
  },
  {
    name: "SIGTTIN",
    number: 21,
    action: "pause",
    description: "Background process cannot read terminal input",
    standard: "posix"
  },
  {
    name: "SIGBREAK",
    number: 21,
    action: "terminate",
    description: "User interruption with CTRL-BREAK",
    standard: "other"
  },
  {
    name: "SIGTTOU",
    number: 22,
    action: "pause",
    description: "Background process cannot write to terminal output",
    standard: "posix"
  },
  {
    name: "SIGURG",
    number: 23,
    action: "ignore",
    description: "Socket received out-of-band data",
    standard: "bsd"
  },
  {
    name: "SIGXCPU",
    number: 24,
    action: "core",
    description: "Process timed out",
    standard: "bsd"
  },
  {
    name: "SIGXFSZ",
    number: 25,
    action: "core",
    description: "File too big",
    standard: "bsd"
  },
  {
    name: "SIGVTALRM",
    number: 26,
    action: "terminate",
    description: "Timeout or timer",
    standard: "bsd"
  },
  {
    name: "SIGPROF",
    number: 27,
    action: "terminate",
    description: "Timeout or timer",
    standard: "bsd"
  },
  {
    name: "SIGWINCH",
    number: 28,
    action: "ignore",
    description: "Terminal window size changed",
    standard: "bsd"
  },
  {
    name: "SIGIO",
    number: 29,
    action: "terminate",
    description: "I/O is available",
    standard: "other"
  },
  {
    name: "SIGPOLL",
    number: 29,
    action: "terminate",
    description: "Watched event",
    standard: "other"
  },
  {
    name: "SIGINFO",
    number: 29,
    action: "ignore",
    description: "Request for process information",
    standard: "other"
  },
  {
    name: "SIGPWR",
    number: 30,
    action: "terminate",
    description: "Device running out of power",
    standard: "systemv"
  },
  {
    name: "SIGSYS",
    number: 31,
    action: "core",
    description: "Invalid system call",
    standard: "other"
  },
  {
    name: "SIGUNUSED",
    number: 31,
    action: "terminate",
    description: "Invalid system call",
    standard: "other"
  }
];

// ../../node_modules/human-signals/build/src/signals.js
var getSignals = () => {
  const realtimeSignals = getRealtimeSignals();
  const signals2 = [...SIGNALS, ...realtimeSignals].map(normalizeSignal);
  return signals2;
};
var normalizeSignal = ({
  name,
  number: defaultNumber,
  description,
  action,
  forced = false,
  standard
}) => {
  const {
    signals: { [name]: constantSignal }
  } = constants;
  const supported = constantSignal !== void 0;
  const number = supported ? constantSignal : defaultNumber;
  return { name, number, description, supported, action, forced, standard };
};

// ../../node_modules/human-signals/build/src/main.js
var getSignalsByName = () => {
  const signals2 = getSignals();
  return Object.fromEntries(signals2.map(getSignalByName));
};
var getSignalByName = ({
  name,
  number,
  description,
  supported,
  action,
  forced,
  standard
}) => [name, { name, number, description, supported, action, forced, standard }];
var signalsByName = getSignalsByName();
var getSignalsByNumber = () => {
  const signals2 = getSignals();
  const length = SIGRTMAX + 1;
  const signalsA = Array.from(
    { length },
    (value, number) => getSignalByNumber(number, signals2)
  );
  return Object.assign({}, ...signalsA);
};
var getSignalByNumber = (number, signals2) => {
  const signal = findSignalByNumber(number, signals2);
  if (signal === void 0) {
    return {};
  }
  const { name, description, supported, action, forced, standard } = signal;
  return {
    [number]: {
      name,
      number,
      description,
      supported,
      action,
      forced,
      standard
    }
  };
};
var findSignalByNumber = (number, signals2) => {
  const signal = signals2.find(({ name }) => constants2.signals[name] === number);
  if (signal !== void 0) {
    return signal;
  }
  return signals2.find((signalA) => signalA.number === number);
};
var signalsByNumber = getSignalsByNumber();

// ../../node_modules/execa/lib/terminate/signal.js
var normalizeKillSignal = (killSignal) => {
  const optionName = "option `killSignal`";
  if (killSignal === 0) {
    throw new TypeError(`Invalid ${optionName}: 0 cannot be used.`);
  }
  return normalizeSignal2(killSignal, optionName);
};
var normalizeSignalArgument = (signal) => signal === 0 ? signal : normalizeSignal2(signal, "`subprocess.kill()`'s argument");
var normalizeSignal2 = (signalNameOrInteger, optionName) => {
  if (Number.isInteger(signalNameOrInteger)) {
    return normalizeSignalInteger(signalNameOrInteger, optionName);
  }
  if (typeof signalNameOrInteger === "string") {
    return normalizeSignalName(signalNameOrInteger, optionName);
  }
  throw new TypeError(`Invalid ${optionName} ${String(signalNameOrInteger)}: it must be a string or an integer.
${getAvailableSignals()}`);
};
var normalizeSignalInteger = (signalInteger, optionName) => {
  if (signalsIntegerToName.has(signalInteger)) {
    return signalsIntegerToName.get(signalInteger);
  }
  throw new TypeError(`Invalid ${optionName} ${signalInteger}: this signal integer does not exist.
${getAvailableSignals()}`);
};
var getSignalsIntegerToName = () => new Map(Object.entries(constants3.signals).reverse().map(([signalName2, signalInteger]) => [signalInteger, signalName2]));
var signalsIntegerToName = getSignalsIntegerToName();
var normalizeSignalName = (signalName2, optionName) => {
  if (signalName2 in constants3.signals) {
    return signalName2;
  }
  if (signalName2.toUpperCase() in constants3.signals) {
    throw new TypeError(`Invalid ${optionName} '${signalName2}': please rename it to '${signalName2.toUpperCase()}'.`);
  }
  throw new TypeError(`Invalid ${optionName} '${signalName2}': this signal name does not exist.
${getAvailableSignals()}`);
};
var getAvailableSignals = () => `Available signal names: ${getAvailableSignalNames()}.
Available signal numbers: ${getAvailableSignalIntegers()}.`;
var getAvailableSignalNames = () => Object.keys(constants3.signals).sort().map((signalName2) => `'${signalName2}'`).join(", ");
var getAvailableSignalIntegers = () => [...new Set(Object.values(constants3.signals).sort((signalInteger, signalIntegerTwo) => signalInteger - signalIntegerTwo))].join(", ");
var getSignalDescription = (signal) => signalsByName[signal].description;

// ../../node_modules/execa/lib/terminate/kill.js
var normalizeForceKillAfterDelay = (forceKillAfterDelay) => {
  if (forceKillAfterDelay === false) {
    return forceKillAfterDelay;
  }
  if (forceKillAfterDelay === true) {
    return DEFAULT_FORCE_KILL_TIMEOUT;
  }
  if (!Number.isFinite(forceKillAfterDelay) || forceKillAfterDelay < 0) {
    throw new TypeError(`Expected the \`forceKillAfterDelay\` option to be a non-negative integer, got \`${forceKillAfterDelay}\` (${typeof forceKillAfterDelay})`);
  }
  return forceKillAfterDelay;
};
var DEFAULT_FORCE_KILL_TIMEOUT = 1e3 * 5;
var subprocessKill = ({ kill, options: { forceKillAfterDelay, killSignal }, onInternalError, context, controller }, signalOrError, errorArgument) => {
  const { signal, error: error2 } = parseKillArguments(signalOrError, errorArgument, killSignal);
  emitKillError(error2, onInternalError);
  const killResult = kill(signal);
  setKillTimeout({
    kill,
    signal,
    forceKillAfterDelay,
    killSignal,
    killResult,
    context,
    controller
  });
  return killResult;
};
var parseKillArguments = (signalOrError, errorArgument, killSignal) => {
  const [signal = killSignal, error2] = isErrorInstance(signalOrError) ? [void 0, signalOrError] : [signalOrError, errorArgument];
  if (typeof signal !== "string" && !Number.isInteger(signal)) {
    throw new TypeError(`The first argument must be an error instance or a signal name string/integer: ${String(signal)}`);
  }
  if (error2 !== void 0 && !isErrorInstance(error2)) {
    throw new TypeError(`The second argument is optional. If specified, it must be an error instance: ${error2}`);
  }
  return { signal: normalizeSignalArgument(signal), error: error2 };
};
var emitKillError = (error2, onInternalError) => {
  if (error2 !== void 0) {
    onInternalError.reject(error2);
  }
};
var setKillTimeout = async ({ kill, signal, forceKillAfterDelay, killSignal, killResult, context, controller }) => {
  if (signal === killSignal && killResult) {
    killOnTimeout({
      kill,
      forceKillAfterDelay,
      context,
      controllerSignal: controller.signal
    });
  }
};
var killOnTimeout = async ({ kill, forceKillAfterDelay, context, controllerSignal }) => {
  if (forceKillAfterDelay === false) {
    return;
  }
  try {
    await setTimeout2(forceKillAfterDelay, void 0, { signal: controllerSignal });
    if (kill("SIGKILL")) {
      context.isForcefullyTerminated ??= true;
    }
  } catch {
  }
};

// ../../node_modules/execa/lib/utils/abort-signal.js
import { once } from "node:events";
var onAbortedSignal = async (mainSignal, stopSignal) => {
  if (!mainSignal.aborted) {
    await once(mainSignal, "abort", { signal: stopSignal });
  }
};

// ../../node_modules/execa/lib/terminate/cancel.js
var validateCancelSignal = ({ cancelSignal }) => {
  if (cancelSignal !== void 0 && Object.prototype.toString.call(cancelSignal) !== "[object AbortSignal]") {
    throw new Error(`The \`cancelSignal\` option must be an AbortSignal: ${String(cancelSignal)}`);
  }
};
var throwOnCancel = ({ subprocess, cancelSignal, gracefulCancel, context, controller }) => cancelSignal === void 0 || gracefulCancel ? [] : [terminateOnCancel(subprocess, cancelSignal, context, controller)];
var terminateOnCancel = async (subprocess, cancelSignal, context, { signal }) => {
  await onAbortedSignal(cancelSignal, signal);
  context.terminationReason ??= "cancel";
  subprocess.kill();
  throw cancelSignal.reason;
};

// ../../node_modules/execa/lib/ipc/graceful.js
import { scheduler as scheduler2 } from "node:timers/promises";

// ../../node_modules/execa/lib/ipc/send.js
import { promisify as promisify2 } from "node:util";

// ../../node_modules/execa/lib/ipc/validation.js
var validateIpcMethod = ({ methodName, isSubprocess, ipc, isConnected: isConnected2 }) => {
  validateIpcOption(methodName, isSubprocess, ipc);
  validateConnection(methodName, isSubprocess, isConnected2);
};
var validateIpcOption = (methodName, isSubprocess, ipc) => {
  if (!ipc) {
    throw new Error(`${getMethodName(methodName, isSubprocess)} can only be used if the \`ipc\` option is \`true\`.`);
  }
};
var validateConnection = (methodName, isSubprocess, isConnected2) => {
  if (!isConnected2) {
    throw new Error(`${getMethodName(methodName, isSubprocess)} cannot be used: the ${getOtherProcessName(isSubprocess)} has already exited or disconnected.`);
  }
};
var throwOnEarlyDisconnect = (isSubprocess) => {
  throw new Error(`${getMethodName("getOneMessage", isSubprocess)} could not complete: the ${getOtherProcessName(isSubprocess)} exited or disconnected.`);
};
var throwOnStrictDeadlockError = (isSubprocess) => {
  throw new Error(`${getMethodName("sendMessage", isSubprocess)} failed: the ${getOtherProcessName(isSubprocess)} is sending a message too, instead of listening to incoming messages.
This can be fixed by both sending a message and listening to incoming messages at the same time:

const [receivedMessage] = await Promise.all([
	${getMethodName("getOneMessage", isSubprocess)},
	${getMethodName("sendMessage", isSubprocess, "message, {strict: true}")},
]);`);
};
var getStrictResponseError = (error2, isSubprocess) => new Error(`${getMethodName("sendMessage", isSubprocess)} failed when sending an acknowledgment response to the ${getOtherProcessName(isSubprocess)}.`, { cause: error2 });
var throwOnMissingStrict = (isSubprocess) => {
  throw new Error(`${getMethodName("sendMessage", isSubprocess)} failed: the ${getOtherProcessName(isSubprocess)} is not listening to incoming messages.`);
};
var throwOnStrictDisconnect = (isSubprocess) => {
  throw new Error(`${getMethodName("sendMessage", isSubprocess)} failed: the ${getOtherProcessName(isSubprocess)} exited without listening to incoming messages.`);
};
var getAbortDisconnectError = () => new Error(`\`cancelSignal\` aborted: the ${getOtherProcessName(true)} disconnected.`);
var throwOnMissingParent = () => {
  throw new Error("`getCancelSignal()` cannot be used without setting the `cancelSignal` subprocess option.");
};
var handleEpipeError = ({ error: error2, methodName, isSubprocess }) => {
  if (error2.code === "EPIPE") {
    throw new Error(`${getMethodName(methodName, isSubprocess)} cannot be used: the ${getOtherProcessName(isSubprocess)} is disconnecting.`, { cause: error2 });
  }
};
var handleSerializationError = ({ error: error2, methodName, isSubprocess, message }) => {
  if (isSerializationError(error2)) {
    throw new Error(`${getMethodName(methodName, isSubprocess)}'s argument type is invalid: the message cannot be serialized: ${String(message)}.`, { cause: error2 });
  }
};
var isSerializationError = ({ code, message }) => SERIALIZATION_ERROR_CODES.has(code) || SERIALIZATION_ERROR_MESSAGES.some((serializationErrorMessage) => message.includes(serializationErrorMessage));
var SERIALIZATION_ERROR_CODES = /* @__PURE__ */ new Set([
  // Message is `undefined`
  "ERR_MISSING_ARGS",
  // Message is a function, a bigint, a symbol
  "ERR_INVALID_ARG_TYPE"
]);
var SERIALIZATION_ERROR_MESSAGES = [
  // Message is a promise or a proxy, with `serialization: 'advanced'`
  "could not be cloned",
  // Message has cycles, with `serialization: 'json'`
  "circular structure",
  // Message has cycles inside toJSON(), with `serialization: 'json'`
  "call stack size exceeded"
];
var getMethodName = (methodName, isSubprocess, parameters = "") => methodName === "cancelSignal" ? "`cancelSignal`'s `controller.abort()`" : `${getNamespaceName(isSubprocess)}${methodName}(${parameters})`;
var getNamespaceName = (isSubprocess) => isSubprocess ? "" : "subprocess.";
var getOtherProcessName = (isSubprocess) => isSubprocess ? "parent process" : "subprocess";
var disconnect = (anyProcess) => {
  if (anyProcess.connected) {
    anyProcess.disconnect();
  }
};

// ../../node_modules/execa/lib/utils/deferred.js
var createDeferred = () => {
  const methods = {};
  const promise = new Promise((resolve3, reject) => {
    Object.assign(methods, { resolve: resolve3, reject });
  });
  return Object.assign(promise, methods);
};

// ../../node_modules/execa/lib/arguments/fd-options.js
var getToStream = (destination, to = "stdin") => {
  const isWritable = true;
  const { options, fileDescriptors } = SUBPROCESS_OPTIONS.get(destination);
  const fdNumber = getFdNumber(fileDescriptors, to, isWritable);
  const destinationStream = destination.stdio[fdNumber];
  if (destinationStream === null) {
    throw new TypeError(getInvalidStdioOptionMessage(fdNumber, to, options, isWritable));
  }
  return destinationStream;
};
var getFromStream = (source, from = "stdout") => {
  const isWritable = false;
  const { options, fileDescriptors } = SUBPROCESS_OPTIONS.get(source);
  const fdNumber = getFdNumber(fileDescriptors, from, isWritable);
  const sourceStream = fdNumber === "all" ? source.all : source.stdio[fdNumber];
  if (sourceStream === null || sourceStream === void 0) {
    throw new TypeError(getInvalidStdioOptionMessage(fdNumber, from, options, isWritable));
  }
  return sourceStream;
};
var SUBPROCESS_OPTIONS = /* @__PURE__ */ new WeakMap();
var getFdNumber = (fileDescriptors, fdName, isWritable) => {
  const fdNumber = parseFdNumber(fdName, isWritable);
  validateFdNumber(fdNumber, fdName, isWritable, fileDescriptors);
  return fdNumber;
};
var parseFdNumber = (fdName, isWritable) => {
  const fdNumber = parseFd(fdName);
  if (fdNumber !== void 0) {
    return fdNumber;
  }
  const { validOptions, defaultValue } = isWritable ? { validOptions: '"stdin"', defaultValue: "stdin" } : { validOptions: '"stdout", "stderr", "all"', defaultValue: "stdout" };
  throw new TypeError(`"${getOptionName(isWritable)}" must not be "${fdName}".
It must be ${validOptions} or "fd3", "fd4" (and so on).
It is optional and defaults to "${defaultValue}".`);
};
var validateFdNumber = (fdNumber, fdName, isWritable, fileDescriptors) => {
  const fileDescriptor = fileDescriptors[getUsedDescriptor(fdNumber)];
  if (fileDescriptor === void 0) {
    throw new TypeError(`"${getOptionName(isWritable)}" must not be ${fdName}. That file descriptor does not exist.
Please set the "stdio" option to ensure that file descriptor exists.`);
  }
  if (fileDescriptor.direction === "input" && !isWritable) {
    throw new TypeError(`"${getOptionName(isWritable)}" must not be ${fdName}. It must be a readable stream, not writable.`);
  }
  if (fileDescriptor.direction !== "input" && isWritable) {
    throw new TypeError(`"${getOptionName(isWritable)}" must not be ${fdName}. It must be a writable stream, not readable.`);
  }
};
var getInvalidStdioOptionMessage = (fdNumber, fdName, options, isWritable) => {
  if (fdNumber === "all" && !options.all) {
    return `The "all" option must be true to use "from: 'all'".`;
  }
  const { optionName, optionValue } = getInvalidStdioOption(fdNumber, options);
  return `The "${optionName}: ${serializeOptionValue(optionValue)}" option is incompatible with using "${getOptionName(isWritable)}: ${serializeOptionValue(fdName)}".
Please set this option with "pipe" instead.`;
};
var getInvalidStdioOption = (fdNumber, { stdin, stdout, stderr, stdio }) => {
  const usedDescriptor = getUsedDescriptor(fdNumber);
  if (usedDescriptor === 0 && stdin !== void 0) {
    return { optionName: "stdin", optionValue: stdin };
  }
  if (usedDescriptor === 1 && stdout !== void 0) {
    return { optionName: "stdout", optionValue: stdout };
  }
  if (usedDescriptor === 2 && stderr !== void 0) {
    return { optionName: "stderr", optionValue: stderr };
  }
  return { optionName: `stdio[${usedDescriptor}]`, optionValue: stdio[usedDescriptor] };
};
var getUsedDescriptor = (fdNumber) => fdNumber === "all" ? 1 : fdNumber;
var getOptionName = (isWritable) => isWritable ? "to" : "from";
var serializeOptionValue = (value) => {
  if (typeof value === "string") {
    return `'${value}'`;
  }
  return typeof value === "number" ? `${value}` : "Stream";
};

// ../../node_modules/execa/lib/ipc/strict.js
import { once as once3 } from "node:events";

// ../../node_modules/execa/lib/utils/max-listeners.js
import { addAbortListener } from "node:events";
var incrementMaxListeners = (eventEmitter, maxListenersIncrement, signal) => {
  const maxListeners = eventEmitter.getMaxListeners();
  if (maxListeners === 0 || maxListeners === Number.POSITIVE_INFINITY) {
    return;
  }
  eventEmitter.setMaxListeners(maxListeners + maxListenersIncrement);
  addAbortListener(signal, () => {
    eventEmitter.setMaxListeners(eventEmitter.getMaxListeners() - maxListenersIncrement);
  });
};

// ../../node_modules/execa/lib/ipc/forward.js
import { EventEmitter } from "node:events";

// ../../node_modules/execa/lib/ipc/incoming.js
import { once as once2 } from "node:events";
import { scheduler } from "node:timers/promises";

// ../../node_modules/execa/lib/ipc/reference.js
var addReference = (channel, reference) => {
  if (reference) {
    addReferenceCount(channel);
  }
};
var addReferenceCount = (channel) => {
  channel.refCounted();
};
var removeReference = (channel, reference) => {
  if (reference) {
    removeReferenceCount(channel);
  }
};
var removeReferenceCount = (channel) => {
  channel.unrefCounted();
};
var undoAddedReferences = (channel, isSubprocess) => {
  if (isSubprocess) {
    removeReferenceCount(channel);
    removeReferenceCount(channel);
  }
};
var redoAddedReferences = (channel, isSubprocess) => {
  if (isSubprocess) {
    addReferenceCount(channel);
    addReferenceCount(channel);
  }
};

// ../../node_modules/execa/lib/ipc/incoming.js
var onMessage = async ({ anyProcess, channel, isSubprocess, ipcEmitter }, wrappedMessage) => {
  if (handleStrictResponse(wrappedMessage) || handleAbort(wrappedMessage)) {
    return;
  }
  if (!INCOMING_MESSAGES.has(anyProcess)) {
    INCOMING_MESSAGES.set(anyProcess, []);
  }
  const incomingMessages = INCOMING_MESSAGES.get(anyProcess);
  incomingMessages.push(wrappedMessage);
  if (incomingMessages.length > 1) {
    return;
  }
  while (incomingMessages.length > 0) {
    await waitForOutgoingMessages(anyProcess, ipcEmitter, wrappedMessage);
    await scheduler.yield();
    const message = await handleStrictRequest({
      wrappedMessage: incomingMessages[0],
      anyProcess,
      channel,
      isSubprocess,
      ipcEmitter
    });
    incomingMessages.shift();
    ipcEmitter.emit("message", message);
    ipcEmitter.emit("message:done");
  }
};
var onDisconnect = async ({ anyProcess, channel, isSubprocess, ipcEmitter, boundOnMessage }) => {
  abortOnDisconnect();
  const incomingMessages = INCOMING_MESSAGES.get(anyProcess);
  while (incomingMessages?.length > 0) {
    await once2(ipcEmitter, "message:done");
  }
  anyProcess.removeListener("message", boundOnMessage);
  redoAddedReferences(channel, isSubprocess);
  ipcEmitter.connected = false;
  ipcEmitter.emit("disconnect");
};
var INCOMING_MESSAGES = /* @__PURE__ */ new WeakMap();

// ../../node_modules/execa/lib/ipc/forward.js
var getIpcEmitter = (anyProcess, channel, isSubprocess) => {
  if (IPC_EMITTERS.has(anyProcess)) {
    return IPC_EMITTERS.get(anyProcess);
  }
  const ipcEmitter = new EventEmitter();
  ipcEmitter.connected = true;
  IPC_EMITTERS.set(anyProcess, ipcEmitter);
  forwardEvents({
    ipcEmitter,
    anyProcess,
    channel,
    isSubprocess
  });
  return ipcEmitter;
};
var IPC_EMITTERS = /* @__PURE__ */ new WeakMap();
var forwardEvents = ({ ipcEmitter, anyProcess, channel, isSubprocess }) => {
  const boundOnMessage = onMessage.bind(void 0, {
    anyProcess,
    channel,
    isSubprocess,
    ipcEmitter
  });
  anyProcess.on("message", boundOnMessage);
  anyProcess.once("disconnect", onDisconnect.bind(void 0, {
    anyProcess,
    channel,
    isSubprocess,
    ipcEmitter,
    boundOnMessage
  }));
  undoAddedReferences(channel, isSubprocess);
};
var isConnected = (anyProcess) => {
  const ipcEmitter = IPC_EMITTERS.get(anyProcess);
  return ipcEmitter === void 0 ? anyProcess.channel !== null : ipcEmitter.connected;
};

// ../../node_modules/execa/lib/ipc/strict.js
var handleSendStrict = ({ anyProcess, channel, isSubprocess, message, strict }) => {
  if (!strict) {
    return message;
  }
  const ipcEmitter = getIpcEmitter(anyProcess, channel, isSubprocess);
  const hasListeners = hasMessageListeners(anyProcess, ipcEmitter);
  return {
    id: count++,
    type: REQUEST_TYPE,
    message,
    hasListeners
  };
};
var count = 0n;
var validateStrictDeadlock = (outgoingMessages, wrappedMessage) => {
  if (wrappedMessage?.type !== REQUEST_TYPE || wrappedMessage.hasListeners) {
    return;
  }
  for (const { id } of outgoingMessages) {
    if (id !== void 0) {
      STRICT_RESPONSES[id].resolve({ isDeadlock: true, hasListeners: false });
    }
  }
};
var handleStrictRequest = async ({ wrappedMessage, anyProcess, channel, isSubprocess, ipcEmitter }) => {
  if (wrappedMessage?.type !== REQUEST_TYPE || !anyProcess.connected) {
    return wrappedMessage;
  }
  const { id, message } = wrappedMessage;
  const response = { id, type: RESPONSE_TYPE, message: hasMessageListeners(anyProcess, ipcEmitter) };
  try {
    await sendMessage({
      anyProcess,
      channel,
      isSubprocess,
      ipc: true
    }, response);
  } catch (error2) {
    ipcEmitter.emit("strict:error", error2);
  }
  return message;
};
var handleStrictResponse = (wrappedMessage) => {
  if (wrappedMessage?.type !== RESPONSE_TYPE) {
    return false;
  }
  const { id, message: hasListeners } = wrappedMessage;
  STRICT_RESPONSES[id]?.resolve({ isDeadlock: false, hasListeners });
  return true;
};
var waitForStrictResponse = async (wrappedMessage, anyProcess, isSubprocess) => {
  if (wrappedMessage?.type !== REQUEST_TYPE) {
    return;
  }
  const deferred = createDeferred();
  STRICT_RESPONSES[wrappedMessage.id] = deferred;
  const controller = new AbortController();
  try {
    const { isDeadlock, hasListeners } = await Promise.race([
      deferred,
      throwOnDisconnect(anyProcess, isSubprocess, controller)
    ]);
    if (isDeadlock) {
      throwOnStrictDeadlockError(isSubprocess);
    }
    if (!hasListeners) {
      throwOnMissingStrict(isSubprocess);
    }
  } finally {
    controller.abort();
    delete STRICT_RESPONSES[wrappedMessage.id];
  }
};
var STRICT_RESPONSES = {};
var throwOnDisconnect = async (anyProcess, isSubprocess, { signal }) => {
  incrementMaxListeners(anyProcess, 1, signal);
  await once3(anyProcess, "disconnect", { signal });
  throwOnStrictDisconnect(isSubprocess);
};
var REQUEST_TYPE = "execa:ipc:request";
var RESPONSE_TYPE = "execa:ipc:response";

// ../../node_modules/execa/lib/ipc/outgoing.js
var startSendMessage = (anyProcess, wrappedMessage, strict) => {
  if (!OUTGOING_MESSAGES.has(anyProcess)) {
    OUTGOING_MESSAGES.set(anyProcess, /* @__PURE__ */ new Set());
  }
  const outgoingMessages = OUTGOING_MESSAGES.get(anyProcess);
  const onMessageSent = createDeferred();
  const id = strict ? wrappedMessage.id : void 0;
  const outgoingMessage = { onMessageSent, id };
  outgoingMessages.add(outgoingMessage);
  return { outgoingMessages, outgoingMessage };
};
var endSendMessage = ({ outgoingMessages, outgoingMessage }) => {
  outgoingMessages.delete(outgoingMessage);
  outgoingMessage.onMessageSent.resolve();
};
var waitForOutgoingMessages = async (anyProcess, ipcEmitter, wrappedMessage) => {
  while (!hasMessageListeners(anyProcess, ipcEmitter) && OUTGOING_MESSAGES.get(anyProcess)?.size > 0) {
    const outgoingMessages = [...OUTGOING_MESSAGES.get(anyProcess)];
    validateStrictDeadlock(outgoingMessages, wrappedMessage);
    await Promise.all(outgoingMessages.map(({ onMessageSent }) => onMessageSent));
  }
};
var OUTGOING_MESSAGES = /* @__PURE__ */ new WeakMap();
var hasMessageListeners = (anyProcess, ipcEmitter) => ipcEmitter.listenerCount("message") > getMinListenerCount(anyProcess);
var getMinListenerCount = (anyProcess) => SUBPROCESS_OPTIONS.has(anyProcess) && !getFdSpecificValue(SUBPROCESS_OPTIONS.get(anyProcess).options.buffer, "ipc") ? 1 : 0;

// ../../node_modules/execa/lib/ipc/send.js
var sendMessage = ({ anyProcess, channel, isSubprocess, ipc }, message, { strict = false } = {}) => {
  const methodName = "sendMessage";
  validateIpcMethod({
    methodName,
    isSubprocess,
    ipc,
    isConnected: anyProcess.connected
  });
  return sendMessageAsync({
    anyProcess,
    channel,
    methodName,
    isSubprocess,
    message,
    strict
  });
};
var sendMessageAsync = async ({ anyProcess, channel, methodName, isSubprocess, message, strict }) => {
  const wrappedMessage = handleSendStrict({
    anyProcess,
    channel,
    isSubprocess,
    message,
    strict
  });
  const outgoingMessagesState = startSendMessage(anyProcess, wrappedMessage, strict);
  try {
    await sendOneMessage({
      anyProcess,
      methodName,
      isSubprocess,
      wrappedMessage,
      message
    });
  } catch (error2) {
    disconnect(anyProcess);
    throw error2;
  } finally {
    endSendMessage(outgoingMessagesState);
  }
};
var sendOneMessage = async ({ anyProcess, methodName, isSubprocess, wrappedMessage, message }) => {
  const sendMethod = getSendMethod(anyProcess);
  try {
    await Promise.all([
      waitForStrictResponse(wrappedMessage, anyProcess, isSubprocess),
      sendMethod(wrappedMessage)
    ]);
  } catch (error2) {
    handleEpipeError({ error: error2, methodName, isSubprocess });
    handleSerializationError({
      error: error2,
      methodName,
      isSubprocess,
      message
    });
    throw error2;
  }
};
var getSendMethod = (anyProcess) => {
  if (PROCESS_SEND_METHODS.has(anyProcess)) {
    return PROCESS_SEND_METHODS.get(anyProcess);
  }
  const sendMethod = promisify2(anyProcess.send.bind(anyProcess));
  PROCESS_SEND_METHODS.set(anyProcess, sendMethod);
  return sendMethod;
};
var PROCESS_SEND_METHODS = /* @__PURE__ */ new WeakMap();

// ../../node_modules/execa/lib/ipc/graceful.js
var sendAbort = (subprocess, message) => {
  const methodName = "cancelSignal";
  validateConnection(methodName, false, subprocess.connected);
  return sendOneMessage({
    anyProcess: subprocess,
    methodName,
    isSubprocess: false,
    wrappedMessage: { type: GRACEFUL_CANCEL_TYPE, message },
    message
  });
};
var getCancelSignal = async ({ anyProcess, channel, isSubprocess, ipc }) => {
  await startIpc({
    anyProcess,
    channel,
    isSubprocess,
    ipc
  });
  return cancelController.signal;
};
var startIpc = async ({ anyProcess, channel, isSubprocess, ipc }) => {
  if (cancelListening) {
    return;
  }
  cancelListening = true;
  if (!ipc) {
    throwOnMissingParent();
    return;
  }
  if (channel === null) {
    abortOnDisconnect();
    return;
  }
  getIpcEmitter(anyProcess, channel, isSubprocess);
  await scheduler2.yield();
};
var cancelListening = false;
var handleAbort = (wrappedMessage) => {
  if (wrappedMessage?.type !== GRACEFUL_CANCEL_TYPE) {
    return false;
  }
  cancelController.abort(wrappedMessage.message);
  return true;
};
var GRACEFUL_CANCEL_TYPE = "execa:ipc:cancel";
var abortOnDisconnect = () => {
  cancelController.abort(getAbortDisconnectError());
};
var cancelController = new AbortController();

// ../../node_modules/execa/lib/terminate/graceful.js
var validateGracefulCancel = ({ gracefulCancel, cancelSignal, ipc, serialization }) => {
  if (!gracefulCancel) {
    return;
  }
  if (cancelSignal === void 0) {
    throw new Error("The `cancelSignal` option must be defined when setting the `gracefulCancel` option.");
  }
  if (!ipc) {
    throw new Error("The `ipc` option cannot be false when setting the `gracefulCancel` option.");
  }
  if (serialization === "json") {
    throw new Error("The `serialization` option cannot be 'json' when setting the `gracefulCancel` option.");
  }
};
var throwOnGracefulCancel = ({
  subprocess,
  cancelSignal,
  gracefulCancel,
  forceKillAfterDelay,
  context,
  controller
}) => gracefulCancel ? [sendOnAbort({
  subprocess,
  cancelSignal,
  forceKillAfterDelay,
  context,
  controller
})] : [];
var sendOnAbort = async ({ subprocess, cancelSignal, forceKillAfterDelay, context, controller: { signal } }) => {
  await onAbortedSignal(cancelSignal, signal);
  const reason = getReason(cancelSignal);
  await sendAbort(subprocess, reason);
  killOnTimeout({
    kill: subprocess.kill,
    forceKillAfterDelay,
    context,
    controllerSignal: signal
  });
  context.terminationReason ??= "gracefulCancel";
  throw cancelSignal.reason;
};
var getReason = ({ reason }) => {
  if (!(reason instanceof DOMException)) {
    return reason;
  }
  const error2 = new Error(reason.message);
  Object.defineProperty(error2, "stack", {
    value: reason.stack,
    enumerable: false,
    configurable: true,
    writable: true
  });
  return error2;
};

// ../../node_modules/execa/lib/terminate/timeout.js
import { setTimeout as setTimeout3 } from "node:timers/promises";
var validateTimeout = ({ timeout }) => {
  if (timeout !== void 0 && (!Number.isFinite(timeout) || timeout < 0)) {
    throw new TypeError(`Expected the \`timeout\` option to be a non-negative integer, got \`${timeout}\` (${typeof timeout})`);
  }
};
var throwOnTimeout = (subprocess, timeout, context, controller) => timeout === 0 || timeout === void 0 ? [] : [killAfterTimeout(subprocess, timeout, context, controller)];
var killAfterTimeout = async (subprocess, timeout, context, { signal }) => {
  await setTimeout3(timeout, void 0, { signal });
  context.terminationReason ??= "timeout";
  subprocess.kill();
  throw new DiscardedError();
};

// ../../node_modules/execa/lib/methods/node.js
import { execPath, execArgv } from "node:process";
import path4 from "node:path";
var mapNode = ({ options }) => {
  if (options.node === false) {
    throw new TypeError('The "node" option cannot be false with `execaNode()`.');
  }
  return { options: { ...options, node: true } };
};
var handleNodeOption = (file, commandArguments, {
  node: shouldHandleNode = false,
  nodePath = execPath,
  nodeOptions = execArgv.filter((nodeOption) => !nodeOption.startsWith("--inspect")),
  cwd,
  execPath: formerNodePath,
  ...options
}) => {
  if (formerNodePath !== void 0) {
    throw new TypeError('The "execPath" option has been removed. Please use the "nodePath" option instead.');
  }
  const normalizedNodePath = safeNormalizeFileUrl(nodePath, 'The "nodePath" option');
  const resolvedNodePath = path4.resolve(cwd, normalizedNodePath);
  const newOptions = {
    ...options,
    nodePath: resolvedNodePath,
    node: shouldHandleNode,
    cwd
  };
  if (!shouldHandleNode) {
    return [file, commandArguments, newOptions];
  }
  if (path4.basename(file, ".exe") === "node") {
    throw new TypeError('When the "node" option is true, the first argument does not need to be "node".');
  }
  return [
    resolvedNodePath,
    [...nodeOptions, file, ...commandArguments],
    { ipc: true, ...newOptions, shell: false }
  ];
};

// ../../node_modules/execa/lib/ipc/ipc-input.js
import { serialize } from "node:v8";
var validateIpcInputOption = ({ ipcInput, ipc, serialization }) => {
  if (ipcInput === void 0) {
    return;
  }
  if (!ipc) {
    throw new Error("The `ipcInput` option cannot be set unless the `ipc` option is `true`.");
  }
  validateIpcInput[serialization](ipcInput);
};
var validateAdvancedInput = (ipcInput) => {
  try {
    serialize(ipcInput);
  } catch (error2) {
    throw new Error("The `ipcInput` option is not serializable with a structured clone.", { cause: error2 });
  }
};
var validateJsonInput = (ipcInput) => {
  try {
    JSON.stringify(ipcInput);
  } catch (error2) {
    throw new Error("The `ipcInput` option is not serializable with JSON.", { cause: error2 });
  }
};
var validateIpcInput = {
  advanced: validateAdvancedInput,
  json: validateJsonInput
};
var sendIpcInput = async (subprocess, ipcInput) => {
  if (ipcInput === void 0) {
    return;
  }
  await subprocess.sendMessage(ipcInput);
};

// ../../node_modules/execa/lib/arguments/encoding-option.js
var validateEncoding = ({ encoding }) => {
  if (ENCODINGS.has(encoding)) {
    return;
  }
  const correctEncoding = getCorrectEncoding(encoding);
  if (correctEncoding !== void 0) {
    throw new TypeError(`Invalid option \`encoding: ${serializeEncoding(encoding)}\`.
Please rename it to ${serializeEncoding(correctEncoding)}.`);
  }
  const correctEncodings = [...ENCODINGS].map((correctEncoding2) => serializeEncoding(correctEncoding2)).join(", ");
  throw new TypeError(`Invalid option \`encoding: ${serializeEncoding(encoding)}\`.
Please rename it to one of: ${correctEncodings}.`);
};
var TEXT_ENCODINGS = /* @__PURE__ */ new Set(["utf8", "utf16le"]);
var BINARY_ENCODINGS = /* @__PURE__ */ new Set(["buffer", "hex", "base64", "base64url", "latin1", "ascii"]);
var ENCODINGS = /* @__PURE__ */ new Set([...TEXT_ENCODINGS, ...BINARY_ENCODINGS]);
var getCorrectEncoding = (encoding) => {
  if (encoding === null) {
    return "buffer";
  }
  if (typeof encoding !== "string") {
    return;
  }
  const lowerEncoding = encoding.toLowerCase();
  if (lowerEncoding in ENCODING_ALIASES) {
    return ENCODING_ALIASES[lowerEncoding];
  }
  if (ENCODINGS.has(lowerEncoding)) {
    return lowerEncoding;
  }
};
var ENCODING_ALIASES = {
  // eslint-disable-next-line unicorn/text-encoding-identifier-case
  "utf-8": "utf8",
  "utf-16le": "utf16le",
  "ucs-2": "utf16le",
  ucs2: "utf16le",
  binary: "latin1"
};
var serializeEncoding = (encoding) => typeof encoding === "string" ? `"${encoding}"` : String(encoding);

// ../../node_modules/execa/lib/arguments/cwd.js
import { statSync as statSync2 } from "node:fs";
import path5 from "node:path";
import process5 from "node:process";
var normalizeCwd = (cwd = getDefaultCwd()) => {
  const cwdString = safeNormalizeFileUrl(cwd, 'The "cwd" option');
  return path5.resolve(cwdString);
};
var getDefaultCwd = () => {
  try {
    return process5.cwd();
  } catch (error2) {
    error2.message = `The current directory does not exist.
${error2.message}`;
    throw error2;
  }
};
var fixCwdError = (originalMessage, cwd) => {
  if (cwd === getDefaultCwd()) {
    return originalMessage;
  }
  let cwdStat;
  try {
    cwdStat = statSync2(cwd);
  } catch (error2) {
    return `The "cwd" option is invalid: ${cwd}.
${error2.message}
${originalMessage}`;
  }
  if (!cwdStat.isDirectory()) {
    return `The "cwd" option is not a directory: ${cwd}.
${originalMessage}`;
  }
  return originalMessage;
};

// ../../node_modules/execa/lib/arguments/options.js
var normalizeOptions = (filePath, rawArguments, rawOptions) => {
  rawOptions.cwd = normalizeCwd(rawOptions.cwd);
  const [processedFile, processedArguments, processedOptions] = handleNodeOption(filePath, rawArguments, rawOptions);
  const { command: file, args: commandArguments, options: initialOptions } = import_cross_spawn.default._parse(processedFile, processedArguments, processedOptions);
  const fdOptions = normalizeFdSpecificOptions(initialOptions);
  const options = addDefaultOptions(fdOptions);
  validateTimeout(options);
  validateEncoding(options);
  validateIpcInputOption(options);
  validateCancelSignal(options);
  validateGracefulCancel(options);
  options.shell = normalizeFileUrl(options.shell);
  options.env = getEnv(options);
  options.killSignal = normalizeKillSignal(options.killSignal);
  options.forceKillAfterDelay = normalizeForceKillAfterDelay(options.forceKillAfterDelay);
  options.lines = options.lines.map((lines, fdNumber) => lines && !BINARY_ENCODINGS.has(options.encoding) && options.buffer[fdNumber]);
  if (process6.platform === "win32" && path6.basename(file, ".exe") === "cmd") {
    commandArguments.unshift("/q");
  }
  return { file, commandArguments, options };
};
var addDefaultOptions = ({
  extendEnv = true,
  preferLocal = false,
  cwd,
  localDir: localDirectory = cwd,
  encoding = "utf8",
  reject = true,
  cleanup = true,
  all = false,
  windowsHide = true,
  killSignal = "SIGTERM",
  forceKillAfterDelay = true,
  gracefulCancel = false,
  ipcInput,
  ipc = ipcInput !== void 0 || gracefulCancel,
  serialization = "advanced",
  ...options
}) => ({
  ...options,
  extendEnv,
  preferLocal,
  cwd,
  localDirectory,
  encoding,
  reject,
  cleanup,
  all,
  windowsHide,
  killSignal,
  forceKillAfterDelay,
  gracefulCancel,
  ipcInput,
  ipc,
  serialization
});
var getEnv = ({ env: envOption, extendEnv, preferLocal, node, localDirectory, nodePath }) => {
  const env = extendEnv ? { ...process6.env, ...envOption } : envOption;
  if (preferLocal || node) {
    return npmRunPathEnv({
      env,
      cwd: localDirectory,
      execPath: nodePath,
      preferLocal,
      addExecPath: node
    });
  }
  return env;
};

// ../../node_modules/execa/lib/arguments/shell.js
var concatenateShell = (file, commandArguments, options) => options.shell && commandArguments.length > 0 ? [[file, ...commandArguments].join(" "), [], options] : [file, commandArguments, options];

// ../../node_modules/execa/lib/return/message.js
import { inspect as inspect2 } from "node:util";

// ../../node_modules/strip-final-newline/index.js
function stripFinalNewline(input) {
  if (typeof input === "string") {
    return stripFinalNewlineString(input);
  }
  if (!(ArrayBuffer.isView(input) && input.BYTES_PER_ELEMENT === 1)) {
    throw new Error("Input must be a string or a Uint8Array");
  }
  return stripFinalNewlineBinary(input);
}
var stripFinalNewlineString = (input) => input.at(-1) === LF ? input.slice(0, input.at(-2) === CR ? -2 : -1) : input;
var stripFinalNewlineBinary = (input) => input.at(-1) === LF_BINARY ? input.subarray(0, input.at(-2) === CR_BINARY ? -2 : -1) : input;
var LF = "\n";
var LF_BINARY = LF.codePointAt(0);
var CR = "\r";
var CR_BINARY = CR.codePointAt(0);

// ../../node_modules/get-stream/source/index.js
import { on } from "node:events";
import { finished } from "node:stream/promises";

// ../../node_modules/is-stream/index.js
function isStream(stream, { checkOpen = true } = {}) {
  return stream !== null && typeof stream === "object" && (stream.writable || stream.readable || !checkOpen || stream.writable === void 0 && stream.readable === void 0) && typeof stream.pipe === "function";
}
function isWritableStream(stream, { checkOpen = true } = {}) {
  return isStream(stream, { checkOpen }) && (stream.writable || !checkOpen) && typeof stream.write === "function" && typeof stream.end === "function" && typeof stream.writable === "boolean" && typeof stream.writableObjectMode === "boolean" && typeof stream.destroy === "function" && typeof stream.destroyed === "boolean";
}
function isReadableStream(stream, { checkOpen = true } = {}) {
  return isStream(stream, { checkOpen }) && (stream.readable || !checkOpen) && typeof stream.read === "function" && typeof stream.readable === "boolean" && typeof stream.readableObjectMode === "boolean" && typeof stream.destroy === "function" && typeof stream.destroyed === "boolean";
}
function isDuplexStream(stream, options) {
  return isWritableStream(stream, options) && isReadableStream(stream, options);
}

// ../../node_modules/@sec-ant/readable-stream/dist/ponyfill/asyncIterator.js
var a = Object.getPrototypeOf(
  Object.getPrototypeOf(
    /* istanbul ignore next */
    async function* () {
    }
  ).prototype
);
var c = class {
  #t;
  #n;
  #r = false;
  #e = void 0;
  constructor(e, t) {
    this.#t = e, this.#n = t;
  }
  next() {
    const e = () => this.#s();
    return this.#e = this.#e ? this.#e.then(e, e) : e(), this.#e;
  }
  return(e) {
    const t = () => this.#i(e);
    return this.#e ? this.#e.then(t, t) : t();
  }
  async #s() {
    if (this.#r)
      return {
        done: true,
        value: void 0
      };
    let e;
    try {
      e = await this.#t.read();
    } catch (t) {
      throw this.#e = void 0, this.#r = true, this.#t.releaseLock(), t;
    }
    return e.done && (this.#e = void 0, this.#r = true, this.#t.releaseLock()), e;
  }
  async #i(e) {
    if (this.#r)
      return {
        done: true,
        value: e
      };
    if (this.#r = true, !this.#n) {
      const t = this.#t.cancel(e);
      return this.#t.releaseLock(), await t, {
        done: true,
        value: e
      };
    }
    return this.#t.releaseLock(), {
      done: true,
      value: e
    };
  }
};
var n = /* @__PURE__ */ Symbol();
function i() {
  return this[n].next();
}
Object.defineProperty(i, "name", { value: "next" });
function o(r) {
  return this[n].return(r);
}
Object.defineProperty(o, "name", { value: "return" });
var u = Object.create(a, {
  next: {
    enumerable: true,
    configurable: true,
    writable: true,
    value: i
  },
  return: {
    enumerable: true,
    configurable: true,
    writable: true,
    value: o
  }
});
function h({ preventCancel: r = false } = {}) {
  const e = this.getReader(), t = new c(
    e,
    r
  ), s = Object.create(u);
  return s[n] = t, s;
}

// ../../node_modules/get-stream/source/stream.js
var getAsyncIterable = (stream) => {
  if (isReadableStream(stream, { checkOpen: false }) && nodeImports.on !== void 0) {
    return getStreamIterable(stream);
  }
  if (typeof stream?.[Symbol.asyncIterator] === "function") {
    return stream;
  }
  if (toString.call(stream) === "[object ReadableStream]") {
    return h.call(stream);
  }
  throw new TypeError("The first argument must be a Readable, a ReadableStream, or an async iterable.");
};
var { toString } = Object.prototype;
var getStreamIterable = async function* (stream) {
  const controller = new AbortController();
  const state = {};
  handleStreamEnd(stream, controller, state);
  try {
    for await (const [chunk] of nodeImports.on(stream, "data", { signal: controller.signal })) {
      yield chunk;
    }
  } catch (error2) {
    if (state.error !== void 0) {
      throw state.error;
    } else if (!controller.signal.aborted) {
      throw error2;
    }
  } finally {
    stream.destroy();
  }
};
var handleStreamEnd = async (stream, controller, state) => {
  try {
    await nodeImports.finished(stream, {
      cleanup: true,
      readable: true,
      writable: false,
      error: false
    });
  } catch (error2) {
    state.error = error2;
  } finally {
    controller.abort();
  }
};
var nodeImports = {};

// ../../node_modules/get-stream/source/contents.js
var getStreamContents = async (stream, { init, convertChunk, getSize, truncateChunk, addChunk, getFinalChunk, finalize }, { maxBuffer = Number.POSITIVE_INFINITY } = {}) => {
  const asyncIterable = getAsyncIterable(stream);
  const state = init();
  state.length = 0;
  try {
    for await (const chunk of asyncIterable) {
      const chunkType = getChunkType(chunk);
      const convertedChunk = convertChunk[chunkType](chunk, state);
      appendChunk({
        convertedChunk,
        state,
        getSize,
        truncateChunk,
        addChunk,
        maxBuffer
      });
    }
    appendFinalChunk({
      state,
      convertChunk,
      getSize,
      truncateChunk,
      addChunk,
      getFinalChunk,
      maxBuffer
    });
    return finalize(state);
  } catch (error2) {
    const normalizedError = typeof error2 === "object" && error2 !== null ? error2 : new Error(error2);
    normalizedError.bufferedData = finalize(state);
    throw normalizedError;
  }
};
var appendFinalChunk = ({ state, getSize, truncateChunk, addChunk, getFinalChunk, maxBuffer }) => {
  const convertedChunk = getFinalChunk(state);
  if (convertedChunk !== void 0) {
    appendChunk({
      convertedChunk,
      state,
      getSize,
      truncateChunk,
      addChunk,
      maxBuffer
    });
  }
};
var appendChunk = ({ convertedChunk, state, getSize, truncateChunk, addChunk, maxBuffer }) => {
  const chunkSize = getSize(convertedChunk);
  const newLength = state.length + chunkSize;
  if (newLength <= maxBuffer) {
    addNewChunk(convertedChunk, state, addChunk, newLength);
    return;
  }
  const truncatedChunk = truncateChunk(convertedChunk, maxBuffer - state.length);
  if (truncatedChunk !== void 0) {
    addNewChunk(truncatedChunk, state, addChunk, maxBuffer);
  }
  throw new MaxBufferError();
};
var addNewChunk = (convertedChunk, state, addChunk, newLength) => {
  state.contents = addChunk(convertedChunk, state, newLength);
  state.length = newLength;
};
var getChunkType = (chunk) => {
  const typeOfChunk = typeof chunk;
  if (typeOfChunk === "string") {
    return "string";
  }
  if (typeOfChunk !== "object" || chunk === null) {
    return "others";
  }
  if (globalThis.Buffer?.isBuffer(chunk)) {
    return "buffer";
  }
  const prototypeName = objectToString2.call(chunk);
  if (prototypeName === "[object ArrayBuffer]") {
    return "arrayBuffer";
  }
  if (prototypeName === "[object DataView]") {
    return "dataView";
  }
  if (Number.isInteger(chunk.byteLength) && Number.isInteger(chunk.byteOffset) && objectToString2.call(chunk.buffer) === "[object ArrayBuffer]") {
    return "typedArray";
  }
  return "others";
};
var { toString: objectToString2 } = Object.prototype;
var MaxBufferError = class extends Error {
  name = "MaxBufferError";
  constructor() {
    super("maxBuffer exceeded");
  }
};

// ../../node_modules/get-stream/source/utils.js
var identity2 = (value) => value;
var noop = () => void 0;
var getContentsProperty = ({ contents }) => contents;
var throwObjectStream = (chunk) => {
  throw new Error(`Streams in object mode are not supported: ${String(chunk)}`);
};
var getLengthProperty = (convertedChunk) => convertedChunk.length;

// ../../node_modules/get-stream/source/array.js
async function getStreamAsArray(stream, options) {
  return getStreamContents(stream, arrayMethods, options);
}
var initArray = () => ({ contents: [] });
var increment = () => 1;
var addArrayChunk = (convertedChunk, { contents }) => {
  contents.push(convertedChunk);
  return contents;
};
var arrayMethods = {
  init: initArray,
  convertChunk: {
    string: identity2,
    buffer: identity2,
    arrayBuffer: identity2,
    dataView: identity2,
    typedArray: identity2,
    others: identity2
  },
  getSize: increment,
  truncateChunk: noop,
  addChunk: addArrayChunk,
  getFinalChunk: noop,
  finalize: getContentsProperty
};

// ../../node_modules/get-stream/source/array-buffer.js
async function getStreamAsArrayBuffer(stream, options) {
  return getStreamContents(stream, arrayBufferMethods, options);
}
var initArrayBuffer = () => ({ contents: new ArrayBuffer(0) });
var useTextEncoder = (chunk) => textEncoder2.encode(chunk);
var textEncoder2 = new TextEncoder();
var useUint8Array = (chunk) => new Uint8Array(chunk);
var useUint8ArrayWithOffset = (chunk) => new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
var truncateArrayBufferChunk = (convertedChunk, chunkSize) => convertedChunk.slice(0, chunkSize);
var addArrayBufferChunk = (convertedChunk, { contents, length: previousLength }, length) => {
  const newContents = hasArrayBufferResize() ? resizeArrayBuffer(contents, length) : resizeArrayBufferSlow(contents, length);
  new Uint8Array(newContents).set(convertedChunk, previousLength);
  return newContents;
};
var resizeArrayBufferSlow = (contents, length) => {
  if (length <= contents.byteLength) {
    return contents;
  }
  const arrayBuffer = new ArrayBuffer(getNewContentsLength(length));
  new Uint8Array(arrayBuffer).set(new Uint8Array(contents), 0);
  return arrayBuffer;
};
var resizeArrayBuffer = (contents, length) => {
  if (length <= contents.maxByteLength) {
    contents.resize(length);
    return contents;
  }
  const arrayBuffer = new ArrayBuffer(length, { maxByteLength: getNewContentsLength(length) });
  new Uint8Array(arrayBuffer).set(new Uint8Array(contents), 0);
  return arrayBuffer;
};
var getNewContentsLength = (length) => SCALE_FACTOR ** Math.ceil(Math.log(length) / Math.log(SCALE_FACTOR));
var SCALE_FACTOR = 2;
var finalizeArrayBuffer = ({ contents, length }) => hasArrayBufferResize() ? contents : contents.slice(0, length);
var hasArrayBufferResize = () => "resize" in ArrayBuffer.prototype;
var arrayBufferMethods = {
  init: initArrayBuffer,
  convertChunk: {
    string: useTextEncoder,
    buffer: useUint8Array,
    arrayBuffer: useUint8Array,
    dataView: useUint8ArrayWithOffset,
    typedArray: useUint8ArrayWithOffset,
    others: throwObjectStream
  },
  getSize: getLengthProperty,
  truncateChunk: truncateArrayBufferChunk,
  addChunk: addArrayBufferChunk,
  getFinalChunk: noop,
  finalize: finalizeArrayBuffer
};

// ../../node_modules/get-stream/source/string.js
async function getStreamAsString(stream, options) {
  return getStreamContents(stream, stringMethods, options);
}
var initString = () => ({ contents: "", textDecoder: new TextDecoder() });
var useTextDecoder = (chunk, { textDecoder: textDecoder2 }) => textDecoder2.decode(chunk, { stream: true });
var addStringChunk = (convertedChunk, { contents }) => contents + convertedChunk;
var truncateStringChunk = (convertedChunk, chunkSize) => convertedChunk.slice(0, chunkSize);
var getFinalStringChunk = ({ textDecoder: textDecoder2 }) => {
  const finalChunk = textDecoder2.decode();
  return finalChunk === "" ? void 0 : finalChunk;
};
var stringMethods = {
  init: initString,
  convertChunk: {
    string: identity2,
    buffer: useTextDecoder,
    arrayBuffer: useTextDecoder,
    dataView: useTextDecoder,
    typedArray: useTextDecoder,
    others: throwObjectStream
  },
  getSize: getLengthProperty,
  truncateChunk: truncateStringChunk,
  addChunk: addStringChunk,
  getFinalChunk: getFinalStringChunk,
  finalize: getContentsProperty
};

// ../../node_modules/get-stream/source/index.js
Object.assign(nodeImports, { on, finished });

// ../../node_modules/execa/lib/io/max-buffer.js
var handleMaxBuffer = ({ error: error2, stream, readableObjectMode, lines, encoding, fdNumber }) => {
  if (!(error2 instanceof MaxBufferError)) {
    throw error2;
  }
  if (fdNumber === "all") {
    return error2;
  }
  const unit = getMaxBufferUnit(readableObjectMode, lines, encoding);
  error2.maxBufferInfo = { fdNumber, unit };
  stream.destroy();
  throw error2;
};
var getMaxBufferUnit = (readableObjectMode, lines, encoding) => {
  if (readableObjectMode) {
    return "objects";
  }
  if (lines) {
    return "lines";
  }
  if (encoding === "buffer") {
    return "bytes";
  }
  return "characters";
};
var checkIpcMaxBuffer = (subprocess, ipcOutput, maxBuffer) => {
  if (ipcOutput.length !== maxBuffer) {
    return;
  }
  const error2 = new MaxBufferError();
  error2.maxBufferInfo = { fdNumber: "ipc" };
  throw error2;
};
var getMaxBufferMessage = (error2, maxBuffer) => {
  const { streamName, threshold, unit } = getMaxBufferInfo(error2, maxBuffer);
  return `Command's ${streamName} was larger than ${threshold} ${unit}`;
};
var getMaxBufferInfo = (error2, maxBuffer) => {
  if (error2?.maxBufferInfo === void 0) {
    return { streamName: "output", threshold: maxBuffer[1], unit: "bytes" };
  }
  const { maxBufferInfo: { fdNumber, unit } } = error2;
  delete error2.maxBufferInfo;
  const threshold = getFdSpecificValue(maxBuffer, fdNumber);
  if (fdNumber === "ipc") {
    return { streamName: "IPC output", threshold, unit: "messages" };
  }
  return { streamName: getStreamName(fdNumber), threshold, unit };
};
var isMaxBufferSync = (resultError, output, maxBuffer) => resultError?.code === "ENOBUFS" && output !== null && output.some((result) => result !== null && result.length > getMaxBufferSync(maxBuffer));
var truncateMaxBufferSync = (result, isMaxBuffer, maxBuffer) => {
  if (!isMaxBuffer) {
    return result;
  }
  const maxBufferValue = getMaxBufferSync(maxBuffer);
  return result.length > maxBufferValue ? result.slice(0, maxBufferValue) : result;
};
var getMaxBufferSync = ([, stdoutMaxBuffer]) => stdoutMaxBuffer;

// ../../node_modules/execa/lib/return/message.js
var createMessages = ({
  stdio,
  all,
  ipcOutput,
  originalError,
  signal,
  signalDescription,
  exitCode,
  escapedCommand,
  timedOut,
  isCanceled,
  isGracefullyCanceled,
  isMaxBuffer,
  isForcefullyTerminated,
  forceKillAfterDelay,
  killSignal,
  maxBuffer,
  timeout,
  cwd
}) => {
  const errorCode = originalError?.code;
  const prefix = getErrorPrefix({
    originalError,
    timedOut,
    timeout,
    isMaxBuffer,
    maxBuffer,
    errorCode,
    signal,
    signalDescription,
    exitCode,
    isCanceled,
    isGracefullyCanceled,
    isForcefullyTerminated,
    forceKillAfterDelay,
    killSignal
  });
  const originalMessage = getOriginalMessage(originalError, cwd);
  const suffix = originalMessage === void 0 ? "" : `
${originalMessage}`;
  const shortMessage = `${prefix}: ${escapedCommand}${suffix}`;
  const messageStdio = all === void 0 ? [stdio[2], stdio[1]] : [all];
  const message = [
    shortMessage,
    ...messageStdio,
    ...stdio.slice(3),
    ipcOutput.map((ipcMessage) => serializeIpcMessage(ipcMessage)).join("\n")
  ].map((messagePart) => escapeLines(stripFinalNewline(serializeMessagePart(messagePart)))).filter(Boolean).join("\n\n");
  return { originalMessage, shortMessage, message };
};
var getErrorPrefix = ({
  originalError,
  timedOut,
  timeout,
  isMaxBuffer,
  maxBuffer,
  errorCode,
  signal,
  signalDescription,
  exitCode,
  isCanceled,
  isGracefullyCanceled,
  isForcefullyTerminated,
  forceKillAfterDelay,
  killSignal
}) => {
  const forcefulSuffix = getForcefulSuffix(isForcefullyTerminated, forceKillAfterDelay);
  if (timedOut) {
    return `Command timed out after ${timeout} milliseconds${forcefulSuffix}`;
  }
  if (isGracefullyCanceled) {
    if (signal === void 0) {
      return `Command was gracefully canceled with exit code ${exitCode}`;
    }
    return isForcefullyTerminated ? `Command was gracefully canceled${forcefulSuffix}` : `Command was gracefully canceled with ${signal} (${signalDescription})`;
  }
  if (isCanceled) {
    return `Command was canceled${forcefulSuffix}`;
  }
  if (isMaxBuffer) {
    return `${getMaxBufferMessage(originalError, maxBuffer)}${forcefulSuffix}`;
  }
  if (errorCode !== void 0) {
    return `Command failed with ${errorCode}${forcefulSuffix}`;
  }
  if (isForcefullyTerminated) {
    return `Command was killed with ${killSignal} (${getSignalDescription(killSignal)})${forcefulSuffix}`;
  }
  if (signal !== void 0) {
    return `Command was killed with ${signal} (${signalDescription})`;
  }
  if (exitCode !== void 0) {
    return `Command failed with exit code ${exitCode}`;
  }
  return "Command failed";
};
var getForcefulSuffix = (isForcefullyTerminated, forceKillAfterDelay) => isForcefullyTerminated ? ` and was forcefully terminated after ${forceKillAfterDelay} milliseconds` : "";
var getOriginalMessage = (originalError, cwd) => {
  if (originalError instanceof DiscardedError) {
    return;
  }
  const originalMessage = isExecaError(originalError) ? originalError.originalMessage : String(originalError?.message ?? originalError);
  const escapedOriginalMessage = escapeLines(fixCwdError(originalMessage, cwd));
  return escapedOriginalMessage === "" ? void 0 : escapedOriginalMessage;
};
var serializeIpcMessage = (ipcMessage) => typeof ipcMessage === "string" ? ipcMessage : inspect2(ipcMessage);
var serializeMessagePart = (messagePart) => Array.isArray(messagePart) ? messagePart.map((messageItem) => stripFinalNewline(serializeMessageItem(messageItem))).filter(Boolean).join("\n") : serializeMessageItem(messagePart);
var serializeMessageItem = (messageItem) => {
  if (typeof messageItem === "string") {
    return messageItem;
  }
  if (isUint8Array(messageItem)) {
    return uint8ArrayToString(messageItem);
  }
  return "";
};

// ../../node_modules/execa/lib/return/result.js
var makeSuccessResult = ({
  command,
  escapedCommand,
  stdio,
  all,
  ipcOutput,
  options: { cwd },
  startTime
}) => omitUndefinedProperties({
  command,
  escapedCommand,
  cwd,
  durationMs: getDurationMs(startTime),
  failed: false,
  timedOut: false,
  isCanceled: false,
  isGracefullyCanceled: false,
  isTerminated: false,
  isMaxBuffer: false,
  isForcefullyTerminated: false,
  exitCode: 0,
  stdout: stdio[1],
  stderr: stdio[2],
  all,
  stdio,
  ipcOutput,
  pipedFrom: []
});
var makeEarlyError = ({
  error: error2,
  command,
  escapedCommand,
  fileDescriptors,
  options,
  startTime,
  isSync
}) => makeError({
  error: error2,
  command,
  escapedCommand,
  startTime,
  timedOut: false,
  isCanceled: false,
  isGracefullyCanceled: false,
  isMaxBuffer: false,
  isForcefullyTerminated: false,
  stdio: Array.from({ length: fileDescriptors.length }),
  ipcOutput: [],
  options,
  isSync
});
var makeError = ({
  error: originalError,
  command,
  escapedCommand,
  startTime,
  timedOut,
  isCanceled,
  isGracefullyCanceled,
  isMaxBuffer,
  isForcefullyTerminated,
  exitCode: rawExitCode,
  signal: rawSignal,
  stdio,
  all,
  ipcOutput,
  options: {
    timeoutDuration,
    timeout = timeoutDuration,
    forceKillAfterDelay,
    killSignal,
    cwd,
    maxBuffer
  },
  isSync
}) => {
  const { exitCode, signal, signalDescription } = normalizeExitPayload(rawExitCode, rawSignal);
  const { originalMessage, shortMessage, message } = createMessages({
    stdio,
    all,
    ipcOutput,
    originalError,
    signal,
    signalDescription,
    exitCode,
    escapedCommand,
    timedOut,
    isCanceled,
    isGracefullyCanceled,
    isMaxBuffer,
    isForcefullyTerminated,
    forceKillAfterDelay,
    killSignal,
    maxBuffer,
    timeout,
    cwd
  });
  const error2 = getFinalError(originalError, message, isSync);
  Object.assign(error2, getErrorProperties({
    error: error2,
    command,
    escapedCommand,
    startTime,
    timedOut,
    isCanceled,
    isGracefullyCanceled,
    isMaxBuffer,
    isForcefullyTerminated,
    exitCode,
    signal,
    signalDescription,
    stdio,
    all,
    ipcOutput,
    cwd,
    originalMessage,
    shortMessage
  }));
  return error2;
};
var getErrorProperties = ({
  error: error2,
  command,
  escapedCommand,
  startTime,
  timedOut,
  isCanceled,
  isGracefullyCanceled,
  isMaxBuffer,
  isForcefullyTerminated,
  exitCode,
  signal,
  signalDescription,
  stdio,
  all,
  ipcOutput,
  cwd,
  originalMessage,
  shortMessage
}) => omitUndefinedProperties({
  shortMessage,
  originalMessage,
  command,
  escapedCommand,
  cwd,
  durationMs: getDurationMs(startTime),
  failed: true,
  timedOut,
  isCanceled,
  isGracefullyCanceled,
  isTerminated: signal !== void 0,
  isMaxBuffer,
  isForcefullyTerminated,
  exitCode,
  signal,
  signalDescription,
  code: error2.cause?.code,
  stdout: stdio[1],
  stderr: stdio[2],
  all,
  stdio,
  ipcOutput,
  pipedFrom: []
});
var omitUndefinedProperties = (result) => Object.fromEntries(Object.entries(result).filter(([, value]) => value !== void 0));
var normalizeExitPayload = (rawExitCode, rawSignal) => {
  const exitCode = rawExitCode === null ? void 0 : rawExitCode;
  const signal = rawSignal === null ? void 0 : rawSignal;
  const signalDescription = signal === void 0 ? void 0 : getSignalDescription(rawSignal);
  return { exitCode, signal, signalDescription };
};

// ../../node_modules/parse-ms/index.js
var toZeroIfInfinity = (value) => Number.isFinite(value) ? value : 0;
function parseNumber(milliseconds) {
  return {
    days: Math.trunc(milliseconds / 864e5),
    hours: Math.trunc(milliseconds / 36e5 % 24),
    minutes: Math.trunc(milliseconds / 6e4 % 60),
    seconds: Math.trunc(milliseconds / 1e3 % 60),
    milliseconds: Math.trunc(milliseconds % 1e3),
    microseconds: Math.trunc(toZeroIfInfinity(milliseconds * 1e3) % 1e3),
    nanoseconds: Math.trunc(toZeroIfInfinity(milliseconds * 1e6) % 1e3)
  };
}
function parseBigint(milliseconds) {
  return {
    days: milliseconds / 86400000n,
    hours: milliseconds / 3600000n % 24n,
    minutes: milliseconds / 60000n % 60n,
    seconds: milliseconds / 1000n % 60n,
    milliseconds: milliseconds % 1000n,
    microseconds: 0n,
    nanoseconds: 0n
  };
}
function parseMilliseconds(milliseconds) {
  switch (typeof milliseconds) {
    case "number": {
      if (Number.isFinite(milliseconds)) {
        return parseNumber(milliseconds);
      }
      break;
    }
    case "bigint": {
      return parseBigint(milliseconds);
    }
  }
  throw new TypeError("Expected a finite number or bigint");
}

// ../../node_modules/pretty-ms/index.js
var isZero = (value) => value === 0 || value === 0n;
var pluralize = (word, count2) => count2 === 1 || count2 === 1n ? word : `${word}s`;
var SECOND_ROUNDING_EPSILON = 1e-7;
var ONE_DAY_IN_MILLISECONDS = 24n * 60n * 60n * 1000n;
function prettyMilliseconds(milliseconds, options) {
  const isBigInt = typeof milliseconds === "bigint";
  if (!isBigInt && !Number.isFinite(milliseconds)) {
    throw new TypeError("Expected a finite number or bigint");
  }
  options = { ...options };
  const sign = milliseconds < 0 ? "-" : "";
  milliseconds = milliseconds < 0 ? -milliseconds : milliseconds;
  if (options.colonNotation) {
    options.compact = false;
    options.formatSubMilliseconds = false;
    options.separateMilliseconds = false;
    options.verbose = false;
  }
  if (options.compact) {
    options.unitCount = 1;
    options.secondsDecimalDigits = 0;
    options.millisecondsDecimalDigits = 0;
  }
  let result = [];
  const floorDecimals = (value, decimalDigits) => {
    const flooredInterimValue = Math.floor(value * 10 ** decimalDigits + SECOND_ROUNDING_EPSILON);
    const flooredValue = Math.round(flooredInterimValue) / 10 ** decimalDigits;
    return flooredValue.toFixed(decimalDigits);
  };
  const add = (value, long, short, valueString) => {
    if ((result.length === 0 || !options.colonNotation) && isZero(value) && !(options.colonNotation && short === "m")) {
      return;
    }
    valueString ??= String(value);
    if (options.colonNotation) {
      const wholeDigits = valueString.includes(".") ? valueString.split(".")[0].length : valueString.length;
      const minLength = result.length > 0 ? 2 : 1;
      valueString = "0".repeat(Math.max(0, minLength - wholeDigits)) + valueString;
    } else {
      valueString += options.verbose ? " " + pluralize(long, value) : short;
    }
    result.push(valueString);
  };
  const parsed = parseMilliseconds(milliseconds);
  const days = BigInt(parsed.days);
  if (options.hideYearAndDays) {
    add(BigInt(days) * 24n + BigInt(parsed.hours), "hour", "h");
  } else {
    if (options.hideYear) {
      add(days, "day", "d");
    } else {
      add(days / 365n, "year", "y");
      add(days % 365n, "day", "d");
    }
    add(Number(parsed.hours), "hour", "h");
  }
  add(Number(parsed.minutes), "minute", "m");
  if (!options.hideSeconds) {
    if (options.separateMilliseconds || options.formatSubMilliseconds || !options.colonNotation && milliseconds < 1e3 && !options.subSecondsAsDecimals) {
      const seconds = Number(parsed.seconds);
      const milliseconds2 = Number(parsed.milliseconds);
      const microseconds = Number(parsed.microseconds);
      const nanoseconds = Number(parsed.nanoseconds);
      add(seconds, "second", "s");
      if (options.formatSubMilliseconds) {
        add(milliseconds2, "millisecond", "ms");
        add(microseconds, "microsecond", "\xB5s");
        add(nanoseconds, "nanosecond", "ns");
      } else {
        const millisecondsAndBelow = milliseconds2 + microseconds / 1e3 + nanoseconds / 1e6;
        const millisecondsDecimalDigits = typeof options.millisecondsDecimalDigits === "number" ? options.millisecondsDecimalDigits : 0;
        const roundedMilliseconds = millisecondsAndBelow >= 1 ? Math.round(millisecondsAndBelow) : Math.ceil(millisecondsAndBelow);
        const maximumMilliseconds = 1e3 - 10 ** -millisecondsDecimalDigits;
        const millisecondsString = millisecondsDecimalDigits ? Math.min(millisecondsAndBelow, maximumMilliseconds).toFixed(millisecondsDecimalDigits) : Math.min(roundedMilliseconds, maximumMilliseconds);
        add(
          Number.parseFloat(millisecondsString),
          "millisecond",
          "ms",
          millisecondsString
        );
      }
    } else {
      const seconds = (isBigInt ? Number(milliseconds % ONE_DAY_IN_MILLISECONDS) : milliseconds) / 1e3 % 60;
      const secondsDecimalDigits = typeof options.secondsDecimalDigits === "number" ? options.secondsDecimalDigits : 1;
      const secondsFixed = floorDecimals(seconds, secondsDecimalDigits);
      const secondsString = options.keepDecimalsOnWholeSeconds ? secondsFixed : secondsFixed.replace(/\.0+$/, "");
      add(Number.parseFloat(secondsString), "second", "s", secondsString);
    }
  }
  if (result.length === 0) {
    return sign + "0" + (options.verbose ? " milliseconds" : "ms");
  }
  const separator = options.colonNotation ? ":" : " ";
  if (typeof options.unitCount === "number") {
    result = result.slice(0, Math.max(options.unitCount, 1));
  }
  return sign + result.join(separator);
}

// ../../node_modules/execa/lib/verbose/error.js
var logError = (result, verboseInfo) => {
  if (result.failed) {
    verboseLog({
      type: "error",
      verboseMessage: result.shortMessage,
      verboseInfo,
      result
    });
  }
};

// ../../node_modules/execa/lib/verbose/complete.js
var logResult = (result, verboseInfo) => {
  if (!isVerbose(verboseInfo)) {
    return;
  }
  logError(result, verboseInfo);
  logDuration(result, verboseInfo);
};
var logDuration = (result, verboseInfo) => {
  const verboseMessage = `(done in ${prettyMilliseconds(result.durationMs)})`;
  verboseLog({
    type: "duration",
    verboseMessage,
    verboseInfo,
    result
  });
};

// ../../node_modules/execa/lib/return/reject.js
var handleResult = (result, verboseInfo, { reject }) => {
  logResult(result, verboseInfo);
  if (result.failed && reject) {
    throw result;
  }
  return result;
};

// ../../node_modules/execa/lib/stdio/handle-sync.js
import { readFileSync as readFileSync4 } from "node:fs";

// ../../node_modules/execa/lib/stdio/type.js
var getStdioItemType = (value, optionName) => {
  if (isAsyncGenerator(value)) {
    return "asyncGenerator";
  }
  if (isSyncGenerator(value)) {
    return "generator";
  }
  if (isUrl(value)) {
    return "fileUrl";
  }
  if (isFilePathObject(value)) {
    return "filePath";
  }
  if (isWebStream(value)) {
    return "webStream";
  }
  if (isStream(value, { checkOpen: false })) {
    return "native";
  }
  if (isUint8Array(value)) {
    return "uint8Array";
  }
  if (isAsyncIterableObject(value)) {
    return "asyncIterable";
  }
  if (isIterableObject(value)) {
    return "iterable";
  }
  if (isTransformStream(value)) {
    return getTransformStreamType({ transform: value }, optionName);
  }
  if (isTransformOptions(value)) {
    return getTransformObjectType(value, optionName);
  }
  return "native";
};
var getTransformObjectType = (value, optionName) => {
  if (isDuplexStream(value.transform, { checkOpen: false })) {
    return getDuplexType(value, optionName);
  }
  if (isTransformStream(value.transform)) {
    return getTransformStreamType(value, optionName);
  }
  return getGeneratorObjectType(value, optionName);
};
var getDuplexType = (value, optionName) => {
  validateNonGeneratorType(value, optionName, "Duplex stream");
  return "duplex";
};
var getTransformStreamType = (value, optionName) => {
  validateNonGeneratorType(value, optionName, "web TransformStream");
  return "webTransform";
};
var validateNonGeneratorType = ({ final, binary, objectMode }, optionName, typeName) => {
  checkUndefinedOption(final, `${optionName}.final`, typeName);
  checkUndefinedOption(binary, `${optionName}.binary`, typeName);
  checkBooleanOption(objectMode, `${optionName}.objectMode`);
};
var checkUndefinedOption = (value, optionName, typeName) => {
  if (value !== void 0) {
    throw new TypeError(`The \`${optionName}\` option can only be defined when using a generator, not a ${typeName}.`);
  }
};
var getGeneratorObjectType = ({ transform, final, binary, objectMode }, optionName) => {
  if (transform !== void 0 && !isGenerator(transform)) {
    throw new TypeError(`The \`${optionName}.transform\` option must be a generator, a Duplex stream or a web TransformStream.`);
  }
  if (isDuplexStream(final, { checkOpen: false })) {
    throw new TypeError(`The \`${optionName}.final\` option must not be a Duplex stream.`);
  }
  if (isTransformStream(final)) {
    throw new TypeError(`The \`${optionName}.final\` option must not be a web TransformStream.`);
  }
  if (final !== void 0 && !isGenerator(final)) {
    throw new TypeError(`The \`${optionName}.final\` option must be a generator.`);
  }
  checkBooleanOption(binary, `${optionName}.binary`);
  checkBooleanOption(objectMode, `${optionName}.objectMode`);
  return isAsyncGenerator(transform) || isAsyncGenerator(final) ? "asyncGenerator" : "generator";
};
var checkBooleanOption = (value, optionName) => {
  if (value !== void 0 && typeof value !== "boolean") {
    throw new TypeError(`The \`${optionName}\` option must use a boolean.`);
  }
};
var isGenerator = (value) => isAsyncGenerator(value) || isSyncGenerator(value);
var isAsyncGenerator = (value) => Object.prototype.toString.call(value) === "[object AsyncGeneratorFunction]";
var isSyncGenerator = (value) => Object.prototype.toString.call(value) === "[object GeneratorFunction]";
var isTransformOptions = (value) => isPlainObject(value) && (value.transform !== void 0 || value.final !== void 0);
var isUrl = (value) => Object.prototype.toString.call(value) === "[object URL]";
var isRegularUrl = (value) => isUrl(value) && value.protocol !== "file:";
var isFilePathObject = (value) => isPlainObject(value) && Object.keys(value).length > 0 && Object.keys(value).every((key) => FILE_PATH_KEYS.has(key)) && isFilePathString(value.file);
var FILE_PATH_KEYS = /* @__PURE__ */ new Set(["file", "append"]);
var isFilePathString = (file) => typeof file === "string";
var isUnknownStdioString = (type, value) => type === "native" && typeof value === "string" && !KNOWN_STDIO_STRINGS.has(value);
var KNOWN_STDIO_STRINGS = /* @__PURE__ */ new Set(["ipc", "ignore", "inherit", "overlapped", "pipe"]);
var isReadableStream2 = (value) => Object.prototype.toString.call(value) === "[object ReadableStream]";
var isWritableStream2 = (value) => Object.prototype.toString.call(value) === "[object WritableStream]";
var isWebStream = (value) => isReadableStream2(value) || isWritableStream2(value);
var isTransformStream = (value) => isReadableStream2(value?.readable) && isWritableStream2(value?.writable);
var isAsyncIterableObject = (value) => isObject(value) && typeof value[Symbol.asyncIterator] === "function";
var isIterableObject = (value) => isObject(value) && typeof value[Symbol.iterator] === "function";
var isObject = (value) => typeof value === "object" && value !== null;
var TRANSFORM_TYPES = /* @__PURE__ */ new Set(["generator", "asyncGenerator", "duplex", "webTransform"]);
var FILE_TYPES = /* @__PURE__ */ new Set(["fileUrl", "filePath", "fileNumber"]);
var SPECIAL_DUPLICATE_TYPES_SYNC = /* @__PURE__ */ new Set(["fileUrl", "filePath"]);
var SPECIAL_DUPLICATE_TYPES = /* @__PURE__ */ new Set([...SPECIAL_DUPLICATE_TYPES_SYNC, "webStream", "nodeStream"]);
var FORBID_DUPLICATE_TYPES = /* @__PURE__ */ new Set(["webTransform", "duplex"]);
var TYPE_TO_MESSAGE = {
  generator: "a generator",
  asyncGenerator: "an async generator",
  fileUrl: "a file URL",
  filePath: "a file path string",
  fileNumber: "a file descriptor number",
  webStream: "a web stream",
  nodeStream: "a Node.js stream",
  webTransform: "a web TransformStream",
  duplex: "a Duplex stream",
  native: "any value",
  iterable: "an iterable",
  asyncIterable: "an async iterable",
  string: "a string",
  uint8Array: "a Uint8Array"
};

// ../../node_modules/execa/lib/transform/object-mode.js
var getTransformObjectModes = (objectMode, index, newTransforms, direction) => direction === "output" ? getOutputObjectModes(objectMode, index, newTransforms) : getInputObjectModes(objectMode, index, newTransforms);
var getOutputObjectModes = (objectMode, index, newTransforms) => {
  const writableObjectMode = index !== 0 && newTransforms[index - 1].value.readableObjectMode;
  const readableObjectMode = objectMode ?? writableObjectMode;
  return { writableObjectMode, readableObjectMode };
};
var getInputObjectModes = (objectMode, index, newTransforms) => {
  const writableObjectMode = index === 0 ? objectMode === true : newTransforms[index - 1].value.readableObjectMode;
  const readableObjectMode = index !== newTransforms.length - 1 && (objectMode ?? writableObjectMode);
  return { writableObjectMode, readableObjectMode };
};
var getFdObjectMode = (stdioItems, direction) => {
  const lastTransform = stdioItems.findLast(({ type }) => TRANSFORM_TYPES.has(type));
  if (lastTransform === void 0) {
    return false;
  }
  return direction === "input" ? lastTransform.value.writableObjectMode : lastTransform.value.readableObjectMode;
};

// ../../node_modules/execa/lib/transform/normalize.js
var normalizeTransforms = (stdioItems, optionName, direction, options) => [
  ...stdioItems.filter(({ type }) => !TRANSFORM_TYPES.has(type)),
  ...getTransforms(stdioItems, optionName, direction, options)
];
var getTransforms = (stdioItems, optionName, direction, { encoding }) => {
  const transforms = stdioItems.filter(({ type }) => TRANSFORM_TYPES.has(type));
  const newTransforms = Array.from({ length: transforms.length });
  for (const [index, stdioItem] of Object.entries(transforms)) {
    newTransforms[index] = normalizeTransform({
      stdioItem,
      index: Number(index),
      newTransforms,
      optionName,
      direction,
      encoding
    });
  }
  return sortTransforms(newTransforms, direction);
};
var normalizeTransform = ({ stdioItem, stdioItem: { type }, index, newTransforms, optionName, direction, encoding }) => {
  if (type === "duplex") {
    return normalizeDuplex({ stdioItem, optionName });
  }
  if (type === "webTransform") {
    return normalizeTransformStream({
      stdioItem,
      index,
      newTransforms,
      direction
    });
  }
  return normalizeGenerator({
    stdioItem,
    index,
    newTransforms,
    direction,
    encoding
  });
};
var normalizeDuplex = ({
  stdioItem,
  stdioItem: {
    value: {
      transform,
      transform: { writableObjectMode, readableObjectMode },
      objectMode = readableObjectMode
    }
  },
  optionName
}) => {
  if (objectMode && !readableObjectMode) {
    throw new TypeError(`The \`${optionName}.objectMode\` option can only be \`true\` if \`new Duplex({objectMode: true})\` is used.`);
  }
  if (!objectMode && readableObjectMode) {
    throw new TypeError(`The \`${optionName}.objectMode\` option cannot be \`false\` if \`new Duplex({objectMode: true})\` is used.`);
  }
  return {
    ...stdioItem,
    value: { transform, writableObjectMode, readableObjectMode }
  };
};
var normalizeTransformStream = ({ stdioItem, stdioItem: { value }, index, newTransforms, direction }) => {
  const { transform, objectMode } = isPlainObject(value) ? value : { transform: value };
  const { writableObjectMode, readableObjectMode } = getTransformObjectModes(objectMode, index, newTransforms, direction);
  return {
    ...stdioItem,
    value: { transform, writableObjectMode, readableObjectMode }
  };
};
var normalizeGenerator = ({ stdioItem, stdioItem: { value }, index, newTransforms, direction, encoding }) => {
  const {
    transform,
    final,
    binary: binaryOption = false,
    preserveNewlines = false,
    objectMode
  } = isPlainObject(value) ? value : { transform: value };
  const binary = binaryOption || BINARY_ENCODINGS.has(encoding);
  const { writableObjectMode, readableObjectMode } = getTransformObjectModes(objectMode, index, newTransforms, direction);
  return {
    ...stdioItem,
    value: {
      transform,
      final,
      binary,
      preserveNewlines,
      writableObjectMode,
      readableObjectMode
    }
  };
};
var sortTransforms = (newTransforms, direction) => direction === "input" ? newTransforms.reverse() : newTransforms;

// ../../node_modules/execa/lib/stdio/direction.js
import process7 from "node:process";
var getStreamDirection = (stdioItems, fdNumber, optionName) => {
  const directions = stdioItems.map((stdioItem) => getStdioItemDirection(stdioItem, fdNumber));
  if (directions.includes("input") && directions.includes("output")) {
    throw new TypeError(`The \`${optionName}\` option must not be an array of both readable and writable values.`);
  }
  return directions.find(Boolean) ?? DEFAULT_DIRECTION;
};
var getStdioItemDirection = ({ type, value }, fdNumber) => KNOWN_DIRECTIONS[fdNumber] ?? guessStreamDirection[type](value);
var KNOWN_DIRECTIONS = ["input", "output", "output"];
var anyDirection = () => void 0;
var alwaysInput = () => "input";
var guessStreamDirection = {
  generator: anyDirection,
  asyncGenerator: anyDirection,
  fileUrl: anyDirection,
  filePath: anyDirection,
  iterable: alwaysInput,
  asyncIterable: alwaysInput,
  uint8Array: alwaysInput,
  webStream: (value) => isWritableStream2(value) ? "output" : "input",
  nodeStream(value) {
    if (!isReadableStream(value, { checkOpen: false })) {
      return "output";
    }
    return isWritableStream(value, { checkOpen: false }) ? void 0 : "input";
  },
  webTransform: anyDirection,
  duplex: anyDirection,
  native(value) {
    const standardStreamDirection = getStandardStreamDirection(value);
    if (standardStreamDirection !== void 0) {
      return standardStreamDirection;
    }
    if (isStream(value, { checkOpen: false })) {
      return guessStreamDirection.nodeStream(value);
    }
  }
};
var getStandardStreamDirection = (value) => {
  if ([0, process7.stdin].includes(value)) {
    return "input";
  }
  if ([1, 2, process7.stdout, process7.stderr].includes(value)) {
    return "output";
  }
};
var DEFAULT_DIRECTION = "output";

// ../../node_modules/execa/lib/ipc/array.js
var normalizeIpcStdioArray = (stdioArray, ipc) => ipc && !stdioArray.includes("ipc") ? [...stdioArray, "ipc"] : stdioArray;

// ../../node_modules/execa/lib/stdio/stdio-option.js
var normalizeStdioOption = ({ stdio, ipc, buffer, ...options }, verboseInfo, isSync) => {
  const stdioArray = getStdioArray(stdio, options).map((stdioOption, fdNumber) => addDefaultValue2(stdioOption, fdNumber));
  return isSync ? normalizeStdioSync(stdioArray, buffer, verboseInfo) : normalizeIpcStdioArray(stdioArray, ipc);
};
var getStdioArray = (stdio, options) => {
  if (stdio === void 0) {
    return STANDARD_STREAMS_ALIASES.map((alias) => options[alias]);
  }
  if (hasAlias(options)) {
    throw new Error(`It's not possible to provide \`stdio\` in combination with one of ${STANDARD_STREAMS_ALIASES.map((alias) => `\`${alias}\``).join(", ")}`);
  }
  if (typeof stdio === "string") {
    return [stdio, stdio, stdio];
  }
  if (!Array.isArray(stdio)) {
    throw new TypeError(`Expected \`stdio\` to be of type \`string\` or \`Array\`, got \`${typeof stdio}\``);
  }
  const length = Math.max(stdio.length, STANDARD_STREAMS_ALIASES.length);
  return Array.from({ length }, (_, fdNumber) => stdio[fdNumber]);
};
var hasAlias = (options) => STANDARD_STREAMS_ALIASES.some((alias) => options[alias] !== void 0);
var addDefaultValue2 = (stdioOption, fdNumber) => {
  if (Array.isArray(stdioOption)) {
    return stdioOption.map((item) => addDefaultValue2(item, fdNumber));
  }
  if (stdioOption === null || stdioOption === void 0) {
    return fdNumber >= STANDARD_STREAMS_ALIASES.length ? "ignore" : "pipe";
  }
  return stdioOption;
};
var normalizeStdioSync = (stdioArray, buffer, verboseInfo) => stdioArray.map((stdioOption, fdNumber) => !buffer[fdNumber] && fdNumber !== 0 && !isFullVerbose(verboseInfo, fdNumber) && isOutputPipeOnly(stdioOption) ? "ignore" : stdioOption);
var isOutputPipeOnly = (stdioOption) => stdioOption === "pipe" || Array.isArray(stdioOption) && stdioOption.every((item) => item === "pipe");

// ../../node_modules/execa/lib/stdio/native.js
import { readFileSync as readFileSync3 } from "node:fs";
import tty2 from "node:tty";
var handleNativeStream = ({ stdioItem, stdioItem: { type }, isStdioArray, fdNumber, direction, isSync }) => {
  if (!isStdioArray || type !== "native") {
    return stdioItem;
  }
  return isSync ? handleNativeStreamSync({ stdioItem, fdNumber, direction }) : handleNativeStreamAsync({ stdioItem, fdNumber });
};
var handleNativeStreamSync = ({ stdioItem, stdioItem: { value, optionName }, fdNumber, direction }) => {
  const targetFd = getTargetFd({
    value,
    optionName,
    fdNumber,
    direction
  });
  if (targetFd !== void 0) {
    return targetFd;
  }
  if (isStream(value, { checkOpen: false })) {
    throw new TypeError(`The \`${optionName}: Stream\` option cannot both be an array and include a stream with synchronous methods.`);
  }
  return stdioItem;
};
var getTargetFd = ({ value, optionName, fdNumber, direction }) => {
  const targetFdNumber = getTargetFdNumber(value, fdNumber);
  if (targetFdNumber === void 0) {
    return;
  }
  if (direction === "output") {
    return { type: "fileNumber", value: targetFdNumber, optionName };
  }
  if (tty2.isatty(targetFdNumber)) {
    throw new TypeError(`The \`${optionName}: ${serializeOptionValue(value)}\` option is invalid: it cannot be a TTY with synchronous methods.`);
  }
  return { type: "uint8Array", value: bufferToUint8Array(readFileSync3(targetFdNumber)), optionName };
};
var getTargetFdNumber = (value, fdNumber) => {
  if (value === "inherit") {
    return fdNumber;
  }
  if (typeof value === "number") {
    return value;
  }
  const standardStreamIndex = STANDARD_STREAMS.indexOf(value);
  if (standardStreamIndex !== -1) {
    return standardStreamIndex;
  }
};
var handleNativeStreamAsync = ({ stdioItem, stdioItem: { value, optionName }, fdNumber }) => {
  if (value === "inherit") {
    return { type: "nodeStream", value: getStandardStream(fdNumber, value, optionName), optionName };
  }
  if (typeof value === "number") {
    return { type: "nodeStream", value: getStandardStream(value, value, optionName), optionName };
  }
  if (isStream(value, { checkOpen: false })) {
    return { type: "nodeStream", value, optionName };
  }
  return stdioItem;
};
var getStandardStream = (fdNumber, value, optionName) => {
  const standardStream = STANDARD_STREAMS[fdNumber];
  if (standardStream === void 0) {
    throw new TypeError(`The \`${optionName}: ${value}\` option is invalid: no such standard stream.`);
  }
  return standardStream;
};

// ../../node_modules/execa/lib/stdio/input-option.js
var handleInputOptions = ({ input, inputFile }, fdNumber) => fdNumber === 0 ? [
  ...handleInputOption(input),
  ...handleInputFileOption(inputFile)
] : [];
var handleInputOption = (input) => input === void 0 ? [] : [{
  type: getInputType(input),
  value: input,
  optionName: "input"
}];
var getInputType = (input) => {
  if (isReadableStream(input, { checkOpen: false })) {
    return "nodeStream";
  }
  if (typeof input === "string") {
    return "string";
  }
  if (isUint8Array(input)) {
    return "uint8Array";
  }
  throw new Error("The `input` option must be a string, a Uint8Array or a Node.js Readable stream.");
};
var handleInputFileOption = (inputFile) => inputFile === void 0 ? [] : [{
  ...getInputFileType(inputFile),
  optionName: "inputFile"
}];
var getInputFileType = (inputFile) => {
  if (isUrl(inputFile)) {
    return { type: "fileUrl", value: inputFile };
  }
  if (isFilePathString(inputFile)) {
    return { type: "filePath", value: { file: inputFile } };
  }
  throw new Error("The `inputFile` option must be a file path string or a file URL.");
};

// ../../node_modules/execa/lib/stdio/duplicate.js
var filterDuplicates = (stdioItems) => stdioItems.filter((stdioItemOne, indexOne) => stdioItems.every((stdioItemTwo, indexTwo) => stdioItemOne.value !== stdioItemTwo.value || indexOne >= indexTwo || stdioItemOne.type === "generator" || stdioItemOne.type === "asyncGenerator"));
var getDuplicateStream = ({ stdioItem: { type, value, optionName }, direction, fileDescriptors, isSync }) => {
  const otherStdioItems = getOtherStdioItems(fileDescriptors, type);
  if (otherStdioItems.length === 0) {
    return;
  }
  if (isSync) {
    validateDuplicateStreamSync({
      otherStdioItems,
      type,
      value,
      optionName,
      direction
    });
    return;
  }
  if (SPECIAL_DUPLICATE_TYPES.has(type)) {
    return getDuplicateStreamInstance({
      otherStdioItems,
      type,
      value,
      optionName,
      direction
    });
  }
  if (FORBID_DUPLICATE_TYPES.has(type)) {
    validateDuplicateTransform({
      otherStdioItems,
      type,
      value,
      optionName
    });
  }
};
var getOtherStdioItems = (fileDescriptors, type) => fileDescriptors.flatMap(({ direction, stdioItems }) => stdioItems.filter((stdioItem) => stdioItem.type === type).map(((stdioItem) => ({ ...stdioItem, direction }))));
var validateDuplicateStreamSync = ({ otherStdioItems, type, value, optionName, direction }) => {
  if (SPECIAL_DUPLICATE_TYPES_SYNC.has(type)) {
    getDuplicateStreamInstance({
      otherStdioItems,
      type,
      value,
      optionName,
      direction
    });
  }
};
var getDuplicateStreamInstance = ({ otherStdioItems, type, value, optionName, direction }) => {
  const duplicateStdioItems = otherStdioItems.filter((stdioItem) => hasSameValue(stdioItem, value));
  if (duplicateStdioItems.length === 0) {
    return;
  }
  const differentStdioItem = duplicateStdioItems.find((stdioItem) => stdioItem.direction !== direction);
  throwOnDuplicateStream(differentStdioItem, optionName, type);
  return direction === "output" ? duplicateStdioItems[0].stream : void 0;
};
var hasSameValue = ({ type, value }, secondValue) => {
  if (type === "filePath") {
    return value.file === secondValue.file;
  }
  if (type === "fileUrl") {
    return value.href === secondValue.href;
  }
  return value === secondValue;
};
var validateDuplicateTransform = ({ otherStdioItems, type, value, optionName }) => {
  const duplicateStdioItem = otherStdioItems.find(({ value: { transform } }) => transform === value.transform);
  throwOnDuplicateStream(duplicateStdioItem, optionName, type);
};
var throwOnDuplicateStream = (stdioItem, optionName, type) => {
  if (stdioItem !== void 0) {
    throw new TypeError(`The \`${stdioItem.optionName}\` and \`${optionName}\` options must not target ${TYPE_TO_MESSAGE[type]} that is the same.`);
  }
};

// ../../node_modules/execa/lib/stdio/handle.js
var handleStdio = (addProperties3, options, verboseInfo, isSync) => {
  const stdio = normalizeStdioOption(options, verboseInfo, isSync);
  const initialFileDescriptors = stdio.map((stdioOption, fdNumber) => getFileDescriptor({
    stdioOption,
    fdNumber,
    options,
    isSync
  }));
  const fileDescriptors = getFinalFileDescriptors({
    initialFileDescriptors,
    addProperties: addProperties3,
    options,
    isSync
  });
  options.stdio = fileDescriptors.map(({ stdioItems }) => forwardStdio(stdioItems));
  return fileDescriptors;
};
var getFileDescriptor = ({ stdioOption, fdNumber, options, isSync }) => {
  const optionName = getStreamName(fdNumber);
  const { stdioItems: initialStdioItems, isStdioArray } = initializeStdioItems({
    stdioOption,
    fdNumber,
    options,
    optionName
  });
  const direction = getStreamDirection(initialStdioItems, fdNumber, optionName);
  const stdioItems = initialStdioItems.map((stdioItem) => handleNativeStream({
    stdioItem,
    isStdioArray,
    fdNumber,
    direction,
    isSync
  }));
  const normalizedStdioItems = normalizeTransforms(stdioItems, optionName, direction, options);
  const objectMode = getFdObjectMode(normalizedStdioItems, direction);
  validateFileObjectMode(normalizedStdioItems, objectMode);
  return { direction, objectMode, stdioItems: normalizedStdioItems };
};
var initializeStdioItems = ({ stdioOption, fdNumber, options, optionName }) => {
  const values = Array.isArray(stdioOption) ? stdioOption : [stdioOption];
  const initialStdioItems = [
    ...values.map((value) => initializeStdioItem(value, optionName)),
    ...handleInputOptions(options, fdNumber)
  ];
  const stdioItems = filterDuplicates(initialStdioItems);
  const isStdioArray = stdioItems.length > 1;
  validateStdioArray(stdioItems, isStdioArray, optionName);
  validateStreams(stdioItems);
  return { stdioItems, isStdioArray };
};
var initializeStdioItem = (value, optionName) => ({
  type: getStdioItemType(value, optionName),
  value,
  optionName
});
var validateStdioArray = (stdioItems, isStdioArray, optionName) => {
  if (stdioItems.length === 0) {
    throw new TypeError(`The \`${optionName}\` option must not be an empty array.`);
  }
  if (!isStdioArray) {
    return;
  }
  for (const { value, optionName: optionName2 } of stdioItems) {
    if (INVALID_STDIO_ARRAY_OPTIONS.has(value)) {
      throw new Error(`The \`${optionName2}\` option must not include \`${value}\`.`);
    }
  }
};
var INVALID_STDIO_ARRAY_OPTIONS = /* @__PURE__ */ new Set(["ignore", "ipc"]);
var validateStreams = (stdioItems) => {
  for (const stdioItem of stdioItems) {
    validateFileStdio(stdioItem);
  }
};
var validateFileStdio = ({ type, value, optionName }) => {
  if (isRegularUrl(value)) {
    throw new TypeError(`The \`${optionName}: URL\` option must use the \`file:\` scheme.
For example, you can use the \`pathToFileURL()\` method of the \`url\` core module.`);
  }
  if (isUnknownStdioString(type, value)) {
    throw new TypeError(`The \`${optionName}: { file: '...' }\` option must be used instead of \`${optionName}: '...'\`.`);
  }
};
var validateFileObjectMode = (stdioItems, objectMode) => {
  if (!objectMode) {
    return;
  }
  const fileStdioItem = stdioItems.find(({ type }) => FILE_TYPES.has(type));
  if (fileStdioItem !== void 0) {
    throw new TypeError(`The \`${fileStdioItem.optionName}\` option cannot use both files and transforms in objectMode.`);
  }
};
var getFinalFileDescriptors = ({ initialFileDescriptors, addProperties: addProperties3, options, isSync }) => {
  const fileDescriptors = [];
  try {
    for (const fileDescriptor of initialFileDescriptors) {
      fileDescriptors.push(getFinalFileDescriptor({
        fileDescriptor,
        fileDescriptors,
        addProperties: addProperties3,
        options,
        isSync
      }));
    }
    return fileDescriptors;
  } catch (error2) {
    cleanupCustomStreams(fileDescriptors);
    throw error2;
  }
};
var getFinalFileDescriptor = ({
  fileDescriptor: { direction, objectMode, stdioItems },
  fileDescriptors,
  addProperties: addProperties3,
  options,
  isSync
}) => {
  const finalStdioItems = stdioItems.map((stdioItem) => addStreamProperties({
    stdioItem,
    addProperties: addProperties3,
    direction,
    options,
    fileDescriptors,
    isSync
  }));
  return { direction, objectMode, stdioItems: finalStdioItems };
};
var addStreamProperties = ({ stdioItem, addProperties: addProperties3, direction, options, fileDescriptors, isSync }) => {
  const duplicateStream = getDuplicateStream({
    stdioItem,
    direction,
    fileDescriptors,
    isSync
  });
  if (duplicateStream !== void 0) {
    return { ...stdioItem, stream: duplicateStream };
  }
  return {
    ...stdioItem,
    ...addProperties3[direction][stdioItem.type](stdioItem, options)
  };
};
var cleanupCustomStreams = (fileDescriptors) => {
  for (const { stdioItems } of fileDescriptors) {
    for (const { stream } of stdioItems) {
      if (stream !== void 0 && !isStandardStream(stream)) {
        stream.destroy();
      }
    }
  }
};
var forwardStdio = (stdioItems) => {
  if (stdioItems.length > 1) {
    return stdioItems.some(({ value: value2 }) => value2 === "overlapped") ? "overlapped" : "pipe";
  }
  const [{ type, value }] = stdioItems;
  return type === "native" ? value : "pipe";
};

// ../../node_modules/execa/lib/stdio/handle-sync.js
var handleStdioSync = (options, verboseInfo) => handleStdio(addPropertiesSync, options, verboseInfo, true);
var forbiddenIfSync = ({ type, optionName }) => {
  throwInvalidSyncValue(optionName, TYPE_TO_MESSAGE[type]);
};
var forbiddenNativeIfSync = ({ optionName, value }) => {
  if (value === "ipc" || value === "overlapped") {
    throwInvalidSyncValue(optionName, `"${value}"`);
  }
  return {};
};
var throwInvalidSyncValue = (optionName, value) => {
  throw new TypeError(`The \`${optionName}\` option cannot be ${value} with synchronous methods.`);
};
var addProperties = {
  generator() {
  },
  asyncGenerator: forbiddenIfSync,
  webStream: forbiddenIfSync,
  nodeStream: forbiddenIfSync,
  webTransform: forbiddenIfSync,
  duplex: forbiddenIfSync,
  asyncIterable: forbiddenIfSync,
  native: forbiddenNativeIfSync
};
var addPropertiesSync = {
  input: {
    ...addProperties,
    fileUrl: ({ value }) => ({ contents: [bufferToUint8Array(readFileSync4(value))] }),
    filePath: ({ value: { file } }) => ({ contents: [bufferToUint8Array(readFileSync4(file))] }),
    fileNumber: forbiddenIfSync,
    iterable: ({ value }) => ({ contents: [...value] }),
    string: ({ value }) => ({ contents: [value] }),
    uint8Array: ({ value }) => ({ contents: [value] })
  },
  output: {
    ...addProperties,
    fileUrl: ({ value }) => ({ path: value }),
    filePath: ({ value: { file, append } }) => ({ path: file, append }),
    fileNumber: ({ value }) => ({ path: value }),
    iterable: forbiddenIfSync,
    string: forbiddenIfSync,
    uint8Array: forbiddenIfSync
  }
};

// ../../node_modules/execa/lib/io/strip-newline.js
var stripNewline = (value, { stripFinalNewline: stripFinalNewline2 }, fdNumber) => getStripFinalNewline(stripFinalNewline2, fdNumber) && value !== void 0 && !Array.isArray(value) ? stripFinalNewline(value) : value;
var getStripFinalNewline = (stripFinalNewline2, fdNumber) => fdNumber === "all" ? stripFinalNewline2[1] || stripFinalNewline2[2] : stripFinalNewline2[fdNumber];

// ../../node_modules/execa/lib/transform/generator.js
import { Transform, getDefaultHighWaterMark } from "node:stream";

// ../../node_modules/execa/lib/transform/split.js
var getSplitLinesGenerator = (binary, preserveNewlines, skipped, state) => binary || skipped ? void 0 : initializeSplitLines(preserveNewlines, state);
var splitLinesSync = (chunk, preserveNewlines, objectMode) => objectMode ? chunk.flatMap((item) => splitLinesItemSync(item, preserveNewlines)) : splitLinesItemSync(chunk, preserveNewlines);
var splitLinesItemSync = (chunk, preserveNewlines) => {
  const { transform, final } = initializeSplitLines(preserveNewlines, {});
  return [...transform(chunk), ...final()];
};
var initializeSplitLines = (preserveNewlines, state) => {
  state.previousChunks = "";
  return {
    transform: splitGenerator.bind(void 0, state, preserveNewlines),
    final: linesFinal.bind(void 0, state)
  };
};
var splitGenerator = function* (state, preserveNewlines, chunk) {
  if (typeof chunk !== "string") {
    yield chunk;
    return;
  }
  let { previousChunks } = state;
  let start = -1;
  for (let end = 0; end < chunk.length; end += 1) {
    if (chunk[end] === "\n") {
      const newlineLength = getNewlineLength(chunk, end, preserveNewlines, state);
      let line = chunk.slice(start + 1, end + 1 - newlineLength);
      if (previousChunks.length > 0) {
        line = concatString(previousChunks, line);
        previousChunks = "";
      }
      yield line;
      start = end;
    }
  }
  if (start !== chunk.length - 1) {
    previousChunks = concatString(previousChunks, chunk.slice(start + 1));
  }
  state.previousChunks = previousChunks;
};
var getNewlineLength = (chunk, end, preserveNewlines, state) => {
  if (preserveNewlines) {
    return 0;
  }
  state.isWindowsNewline = end !== 0 && chunk[end - 1] === "\r";
  return state.isWindowsNewline ? 2 : 1;
};
var linesFinal = function* ({ previousChunks }) {
  if (previousChunks.length > 0) {
    yield previousChunks;
  }
};
var getAppendNewlineGenerator = ({ binary, preserveNewlines, readableObjectMode, state }) => binary || preserveNewlines || readableObjectMode ? void 0 : { transform: appendNewlineGenerator.bind(void 0, state) };
var appendNewlineGenerator = function* ({ isWindowsNewline = false }, chunk) {
  const { unixNewline, windowsNewline, LF: LF2, concatBytes } = typeof chunk === "string" ? linesStringInfo : linesUint8ArrayInfo;
  if (chunk.at(-1) === LF2) {
    yield chunk;
    return;
  }
  const newline = isWindowsNewline ? windowsNewline : unixNewline;
  yield concatBytes(chunk, newline);
};
var concatString = (firstChunk, secondChunk) => `${firstChunk}${secondChunk}`;
var linesStringInfo = {
  windowsNewline: "\r\n",
  unixNewline: "\n",
  LF: "\n",
  concatBytes: concatString
};
var concatUint8Array = (firstChunk, secondChunk) => {
  const chunk = new Uint8Array(firstChunk.length + secondChunk.length);
  chunk.set(firstChunk, 0);
  chunk.set(secondChunk, firstChunk.length);
  return chunk;
};
var linesUint8ArrayInfo = {
  windowsNewline: new Uint8Array([13, 10]),
  unixNewline: new Uint8Array([10]),
  LF: 10,
  concatBytes: concatUint8Array
};

// ../../node_modules/execa/lib/transform/validate.js
import { Buffer as Buffer2 } from "node:buffer";
var getValidateTransformInput = (writableObjectMode, optionName) => writableObjectMode ? void 0 : validateStringTransformInput.bind(void 0, optionName);
var validateStringTransformInput = function* (optionName, chunk) {
  if (typeof chunk !== "string" && !isUint8Array(chunk) && !Buffer2.isBuffer(chunk)) {
    throw new TypeError(`The \`${optionName}\` option's transform must use "objectMode: true" to receive as input: ${typeof chunk}.`);
  }
  yield chunk;
};
var getValidateTransformReturn = (readableObjectMode, optionName) => readableObjectMode ? validateObjectTransformReturn.bind(void 0, optionName) : validateStringTransformReturn.bind(void 0, optionName);
var validateObjectTransformReturn = function* (optionName, chunk) {
  validateEmptyReturn(optionName, chunk);
  yield chunk;
};
var validateStringTransformReturn = function* (optionName, chunk) {
  validateEmptyReturn(optionName, chunk);
  if (typeof chunk !== "string" && !isUint8Array(chunk)) {
    throw new TypeError(`The \`${optionName}\` option's function must yield a string or an Uint8Array, not ${typeof chunk}.`);
  }
  yield chunk;
};
var validateEmptyReturn = (optionName, chunk) => {
  if (chunk === null || chunk === void 0) {
    throw new TypeError(`The \`${optionName}\` option's function must not call \`yield ${chunk}\`.
Instead, \`yield\` should either be called with a value, or not be called at all. For example:
  if (condition) { yield value; }`);
  }
};

// ../../node_modules/execa/lib/transform/encoding-transform.js
import { Buffer as Buffer3 } from "node:buffer";
import { StringDecoder as StringDecoder2 } from "node:string_decoder";
var getEncodingTransformGenerator = (binary, encoding, skipped) => {
  if (skipped) {
    return;
  }
  if (binary) {
    return { transform: encodingUint8ArrayGenerator.bind(void 0, new TextEncoder()) };
  }
  const stringDecoder = new StringDecoder2(encoding);
  return {
    transform: encodingStringGenerator.bind(void 0, stringDecoder),
    final: encodingStringFinal.bind(void 0, stringDecoder)
  };
};
var encodingUint8ArrayGenerator = function* (textEncoder3, chunk) {
  if (Buffer3.isBuffer(chunk)) {
    yield bufferToUint8Array(chunk);
  } else if (typeof chunk === "string") {
    yield textEncoder3.encode(chunk);
  } else {
    yield chunk;
  }
};
var encodingStringGenerator = function* (stringDecoder, chunk) {
  yield isUint8Array(chunk) ? stringDecoder.write(chunk) : chunk;
};
var encodingStringFinal = function* (stringDecoder) {
  const lastChunk = stringDecoder.end();
  if (lastChunk !== "") {
    yield lastChunk;
  }
};

// ../../node_modules/execa/lib/transform/run-async.js
import { callbackify } from "node:util";
var pushChunks = callbackify(async (getChunks, state, getChunksArguments, transformStream) => {
  state.currentIterable = getChunks(...getChunksArguments);
  try {
    for await (const chunk of state.currentIterable) {
      transformStream.push(chunk);
    }
  } finally {
    delete state.currentIterable;
  }
});
var transformChunk = async function* (chunk, generators, index) {
  if (index === generators.length) {
    yield chunk;
    return;
  }
  const { transform = identityGenerator } = generators[index];
  for await (const transformedChunk of transform(chunk)) {
    yield* transformChunk(transformedChunk, generators, index + 1);
  }
};
var finalChunks = async function* (generators) {
  for (const [index, { final }] of Object.entries(generators)) {
    yield* generatorFinalChunks(final, Number(index), generators);
  }
};
var generatorFinalChunks = async function* (final, index, generators) {
  if (final === void 0) {
    return;
  }
  for await (const finalChunk of final()) {
    yield* transformChunk(finalChunk, generators, index + 1);
  }
};
var destroyTransform = callbackify(async ({ currentIterable }, error2) => {
  if (currentIterable !== void 0) {
    await (error2 ? currentIterable.throw(error2) : currentIterable.return());
    return;
  }
  if (error2) {
    throw error2;
  }
});
var identityGenerator = function* (chunk) {
  yield chunk;
};

// ../../node_modules/execa/lib/transform/run-sync.js
var pushChunksSync = (getChunksSync, getChunksArguments, transformStream, done) => {
  try {
    for (const chunk of getChunksSync(...getChunksArguments)) {
      transformStream.push(chunk);
    }
    done();
  } catch (error2) {
    done(error2);
  }
};
var runTransformSync = (generators, chunks) => [
  ...chunks.flatMap((chunk) => [...transformChunkSync(chunk, generators, 0)]),
  ...finalChunksSync(generators)
];
var transformChunkSync = function* (chunk, generators, index) {
  if (index === generators.length) {
    yield chunk;
    return;
  }
  const { transform = identityGenerator2 } = generators[index];
  for (const transformedChunk of transform(chunk)) {
    yield* transformChunkSync(transformedChunk, generators, index + 1);
  }
};
var finalChunksSync = function* (generators) {
  for (const [index, { final }] of Object.entries(generators)) {
    yield* generatorFinalChunksSync(final, Number(index), generators);
  }
};
var generatorFinalChunksSync = function* (final, index, generators) {
  if (final === void 0) {
    return;
  }
  for (const finalChunk of final()) {
    yield* transformChunkSync(finalChunk, generators, index + 1);
  }
};
var identityGenerator2 = function* (chunk) {
  yield chunk;
};

// ../../node_modules/execa/lib/transform/generator.js
var generatorToStream = ({
  value,
  value: { transform, final, writableObjectMode, readableObjectMode },
  optionName
}, { encoding }) => {
  const state = {};
  const generators = addInternalGenerators(value, encoding, optionName);
  const transformAsync = isAsyncGenerator(transform);
  const finalAsync = isAsyncGenerator(final);
  const transformMethod = transformAsync ? pushChunks.bind(void 0, transformChunk, state) : pushChunksSync.bind(void 0, transformChunkSync);
  const finalMethod = transformAsync || finalAsync ? pushChunks.bind(void 0, finalChunks, state) : pushChunksSync.bind(void 0, finalChunksSync);
  const destroyMethod = transformAsync || finalAsync ? destroyTransform.bind(void 0, state) : void 0;
  const stream = new Transform({
    writableObjectMode,
    writableHighWaterMark: getDefaultHighWaterMark(writableObjectMode),
    readableObjectMode,
    readableHighWaterMark: getDefaultHighWaterMark(readableObjectMode),
    transform(chunk, encoding2, done) {
      transformMethod([chunk, generators, 0], this, done);
    },
    flush(done) {
      finalMethod([generators], this, done);
    },
    destroy: destroyMethod
  });
  return { stream };
};
var runGeneratorsSync = (chunks, stdioItems, encoding, isInput) => {
  const generators = stdioItems.filter(({ type }) => type === "generator");
  const reversedGenerators = isInput ? generators.reverse() : generators;
  for (const { value, optionName } of reversedGenerators) {
    const generators2 = addInternalGenerators(value, encoding, optionName);
    chunks = runTransformSync(generators2, chunks);
  }
  return chunks;
};
var addInternalGenerators = ({ transform, final, binary, writableObjectMode, readableObjectMode, preserveNewlines }, encoding, optionName) => {
  const state = {};
  return [
    { transform: getValidateTransformInput(writableObjectMode, optionName) },
    getEncodingTransformGenerator(binary, encoding, writableObjectMode),
    getSplitLinesGenerator(binary, preserveNewlines, writableObjectMode, state),
    { transform, final },
    { transform: getValidateTransformReturn(readableObjectMode, optionName) },
    getAppendNewlineGenerator({
      binary,
      preserveNewlines,
      readableObjectMode,
      state
    })
  ].filter(Boolean);
};

// ../../node_modules/execa/lib/io/input-sync.js
var addInputOptionsSync = (fileDescriptors, options) => {
  for (const fdNumber of getInputFdNumbers(fileDescriptors)) {
    addInputOptionSync(fileDescriptors, fdNumber, options);
  }
};
var getInputFdNumbers = (fileDescriptors) => new Set(Object.entries(fileDescriptors).filter(([, { direction }]) => direction === "input").map(([fdNumber]) => Number(fdNumber)));
var addInputOptionSync = (fileDescriptors, fdNumber, options) => {
  const { stdioItems } = fileDescriptors[fdNumber];
  const allStdioItems = stdioItems.filter(({ contents }) => contents !== void 0);
  if (allStdioItems.length === 0) {
    return;
  }
  if (fdNumber !== 0) {
    const [{ type, optionName }] = allStdioItems;
    throw new TypeError(`Only the \`stdin\` option, not \`${optionName}\`, can be ${TYPE_TO_MESSAGE[type]} with synchronous methods.`);
  }
  const allContents = allStdioItems.map(({ contents }) => contents);
  const transformedContents = allContents.map((contents) => applySingleInputGeneratorsSync(contents, stdioItems));
  options.input = joinToUint8Array(transformedContents);
};
var applySingleInputGeneratorsSync = (contents, stdioItems) => {
  const newContents = runGeneratorsSync(contents, stdioItems, "utf8", true);
  validateSerializable(newContents);
  return joinToUint8Array(newContents);
};
var validateSerializable = (newContents) => {
  const invalidItem = newContents.find((item) => typeof item !== "string" && !isUint8Array(item));
  if (invalidItem !== void 0) {
    throw new TypeError(`The \`stdin\` option is invalid: when passing objects as input, a transform must be used to serialize them to strings or Uint8Arrays: ${invalidItem}.`);
  }
};

// ../../node_modules/execa/lib/io/output-sync.js
import { writeFileSync, appendFileSync } from "node:fs";

// ../../node_modules/execa/lib/verbose/output.js
var shouldLogOutput = ({ stdioItems, encoding, verboseInfo, fdNumber }) => fdNumber !== "all" && isFullVerbose(verboseInfo, fdNumber) && !BINARY_ENCODINGS.has(encoding) && fdUsesVerbose(fdNumber) && (stdioItems.some(({ type, value }) => type === "native" && PIPED_STDIO_VALUES.has(value)) || stdioItems.every(({ type }) => TRANSFORM_TYPES.has(type)));
var fdUsesVerbose = (fdNumber) => fdNumber === 1 || fdNumber === 2;
var PIPED_STDIO_VALUES = /* @__PURE__ */ new Set(["pipe", "overlapped"]);
var logLines = async (linesIterable, stream, fdNumber, verboseInfo) => {
  for await (const line of linesIterable) {
    if (!isPipingStream(stream)) {
      logLine(line, fdNumber, verboseInfo);
    }
  }
};
var logLinesSync = (linesArray, fdNumber, verboseInfo) => {
  for (const line of linesArray) {
    logLine(line, fdNumber, verboseInfo);
  }
};
var isPipingStream = (stream) => stream._readableState.pipes.length > 0;
var logLine = (line, fdNumber, verboseInfo) => {
  const verboseMessage = serializeVerboseMessage(line);
  verboseLog({
    type: "output",
    verboseMessage,
    fdNumber,
    verboseInfo
  });
};

// ../../node_modules/execa/lib/io/output-sync.js
var transformOutputSync = ({ fileDescriptors, syncResult: { output }, options, isMaxBuffer, verboseInfo }) => {
  if (output === null) {
    return { output: Array.from({ length: 3 }) };
  }
  const state = {};
  const outputFiles = /* @__PURE__ */ new Set([]);
  const transformedOutput = output.map((result, fdNumber) => transformOutputResultSync({
    result,
    fileDescriptors,
    fdNumber,
    state,
    outputFiles,
    isMaxBuffer,
    verboseInfo
  }, options));
  return { output: transformedOutput, ...state };
};
var transformOutputResultSync = ({ result, fileDescriptors, fdNumber, state, outputFiles, isMaxBuffer, verboseInfo }, { buffer, encoding, lines, stripFinalNewline: stripFinalNewline2, maxBuffer }) => {
  if (result === null) {
    return;
  }
  const truncatedResult = truncateMaxBufferSync(result, isMaxBuffer, maxBuffer);
  const uint8ArrayResult = bufferToUint8Array(truncatedResult);
  const { stdioItems, objectMode } = fileDescriptors[fdNumber];
  const chunks = runOutputGeneratorsSync([uint8ArrayResult], stdioItems, encoding, state);
  const { serializedResult, finalResult = serializedResult } = serializeChunks({
    chunks,
    objectMode,
    encoding,
    lines,
    stripFinalNewline: stripFinalNewline2,
    fdNumber
  });
  logOutputSync({
    serializedResult,
    fdNumber,
    state,
    verboseInfo,
    encoding,
    stdioItems,
    objectMode
  });
  const returnedResult = buffer[fdNumber] ? finalResult : void 0;
  try {
    if (state.error === void 0) {
      writeToFiles(serializedResult, stdioItems, outputFiles);
    }
    return returnedResult;
  } catch (error2) {
    state.error = error2;
    return returnedResult;
  }
};
var runOutputGeneratorsSync = (chunks, stdioItems, encoding, state) => {
  try {
    return runGeneratorsSync(chunks, stdioItems, encoding, false);
  } catch (error2) {
    state.error = error2;
    return chunks;
  }
};
var serializeChunks = ({ chunks, objectMode, encoding, lines, stripFinalNewline: stripFinalNewline2, fdNumber }) => {
  if (objectMode) {
    return { serializedResult: chunks };
  }
  if (encoding === "buffer") {
    return { serializedResult: joinToUint8Array(chunks) };
  }
  const serializedResult = joinToString(chunks, encoding);
  if (lines[fdNumber]) {
    return { serializedResult, finalResult: splitLinesSync(serializedResult, !stripFinalNewline2[fdNumber], objectMode) };
  }
  return { serializedResult };
};
var logOutputSync = ({ serializedResult, fdNumber, state, verboseInfo, encoding, stdioItems, objectMode }) => {
  if (!shouldLogOutput({
    stdioItems,
    encoding,
    verboseInfo,
    fdNumber
  })) {
    return;
  }
  const linesArray = splitLinesSync(serializedResult, false, objectMode);
  try {
    logLinesSync(linesArray, fdNumber, verboseInfo);
  } catch (error2) {
    state.error ??= error2;
  }
};
var writeToFiles = (serializedResult, stdioItems, outputFiles) => {
  for (const { path: path12, append } of stdioItems.filter(({ type }) => FILE_TYPES.has(type))) {
    const pathString = typeof path12 === "string" ? path12 : path12.toString();
    if (append || outputFiles.has(pathString)) {
      appendFileSync(path12, serializedResult);
    } else {
      outputFiles.add(pathString);
      writeFileSync(path12, serializedResult);
    }
  }
};

// ../../node_modules/execa/lib/resolve/all-sync.js
var getAllSync = ([, stdout, stderr], options) => {
  if (!options.all) {
    return;
  }
  if (stdout === void 0) {
    return stderr;
  }
  if (stderr === void 0) {
    return stdout;
  }
  if (Array.isArray(stdout)) {
    return Array.isArray(stderr) ? [...stdout, ...stderr] : [...stdout, stripNewline(stderr, options, "all")];
  }
  if (Array.isArray(stderr)) {
    return [stripNewline(stdout, options, "all"), ...stderr];
  }
  if (isUint8Array(stdout) && isUint8Array(stderr)) {
    return concatUint8Arrays([stdout, stderr]);
  }
  return `${stdout}${stderr}`;
};

// ../../node_modules/execa/lib/resolve/exit-async.js
import { once as once4 } from "node:events";
var waitForExit = async (subprocess, context) => {
  const [exitCode, signal] = await waitForExitOrError(subprocess);
  context.isForcefullyTerminated ??= false;
  return [exitCode, signal];
};
var waitForExitOrError = async (subprocess) => {
  const [spawnPayload, exitPayload] = await Promise.allSettled([
    once4(subprocess, "spawn"),
    once4(subprocess, "exit")
  ]);
  if (spawnPayload.status === "rejected") {
    return [];
  }
  return exitPayload.status === "rejected" ? waitForSubprocessExit(subprocess) : exitPayload.value;
};
var waitForSubprocessExit = async (subprocess) => {
  try {
    return await once4(subprocess, "exit");
  } catch {
    return waitForSubprocessExit(subprocess);
  }
};
var waitForSuccessfulExit = async (exitPromise) => {
  const [exitCode, signal] = await exitPromise;
  if (!isSubprocessErrorExit(exitCode, signal) && isFailedExit(exitCode, signal)) {
    throw new DiscardedError();
  }
  return [exitCode, signal];
};
var isSubprocessErrorExit = (exitCode, signal) => exitCode === void 0 && signal === void 0;
var isFailedExit = (exitCode, signal) => exitCode !== 0 || signal !== null;

// ../../node_modules/execa/lib/resolve/exit-sync.js
var getExitResultSync = ({ error: error2, status: exitCode, signal, output }, { maxBuffer }) => {
  const resultError = getResultError(error2, exitCode, signal);
  const timedOut = resultError?.code === "ETIMEDOUT";
  const isMaxBuffer = isMaxBufferSync(resultError, output, maxBuffer);
  return {
    resultError,
    exitCode,
    signal,
    timedOut,
    isMaxBuffer
  };
};
var getResultError = (error2, exitCode, signal) => {
  if (error2 !== void 0) {
    return error2;
  }
  return isFailedExit(exitCode, signal) ? new DiscardedError() : void 0;
};

// ../../node_modules/execa/lib/methods/main-sync.js
var execaCoreSync = (rawFile, rawArguments, rawOptions) => {
  const { file, commandArguments, command, escapedCommand, startTime, verboseInfo, options, fileDescriptors } = handleSyncArguments(rawFile, rawArguments, rawOptions);
  const result = spawnSubprocessSync({
    file,
    commandArguments,
    options,
    command,
    escapedCommand,
    verboseInfo,
    fileDescriptors,
    startTime
  });
  return handleResult(result, verboseInfo, options);
};
var handleSyncArguments = (rawFile, rawArguments, rawOptions) => {
  const { command, escapedCommand, startTime, verboseInfo } = handleCommand(rawFile, rawArguments, rawOptions);
  const syncOptions = normalizeSyncOptions(rawOptions);
  const { file, commandArguments, options } = normalizeOptions(rawFile, rawArguments, syncOptions);
  validateSyncOptions(options);
  const fileDescriptors = handleStdioSync(options, verboseInfo);
  return {
    file,
    commandArguments,
    command,
    escapedCommand,
    startTime,
    verboseInfo,
    options,
    fileDescriptors
  };
};
var normalizeSyncOptions = (options) => options.node && !options.ipc ? { ...options, ipc: false } : options;
var validateSyncOptions = ({ ipc, ipcInput, detached, cancelSignal }) => {
  if (ipcInput) {
    throwInvalidSyncOption("ipcInput");
  }
  if (ipc) {
    throwInvalidSyncOption("ipc: true");
  }
  if (detached) {
    throwInvalidSyncOption("detached: true");
  }
  if (cancelSignal) {
    throwInvalidSyncOption("cancelSignal");
  }
};
var throwInvalidSyncOption = (value) => {
  throw new TypeError(`The "${value}" option cannot be used with synchronous methods.`);
};
var spawnSubprocessSync = ({ file, commandArguments, options, command, escapedCommand, verboseInfo, fileDescriptors, startTime }) => {
  const syncResult = runSubprocessSync({
    file,
    commandArguments,
    options,
    command,
    escapedCommand,
    fileDescriptors,
    startTime
  });
  if (syncResult.failed) {
    return syncResult;
  }
  const { resultError, exitCode, signal, timedOut, isMaxBuffer } = getExitResultSync(syncResult, options);
  const { output, error: error2 = resultError } = transformOutputSync({
    fileDescriptors,
    syncResult,
    options,
    isMaxBuffer,
    verboseInfo
  });
  const stdio = output.map((stdioOutput, fdNumber) => stripNewline(stdioOutput, options, fdNumber));
  const all = stripNewline(getAllSync(output, options), options, "all");
  return getSyncResult({
    error: error2,
    exitCode,
    signal,
    timedOut,
    isMaxBuffer,
    stdio,
    all,
    options,
    command,
    escapedCommand,
    startTime
  });
};
var runSubprocessSync = ({ file, commandArguments, options, command, escapedCommand, fileDescriptors, startTime }) => {
  try {
    addInputOptionsSync(fileDescriptors, options);
    const normalizedOptions = normalizeSpawnSyncOptions(options);
    return spawnSync(...concatenateShell(file, commandArguments, normalizedOptions));
  } catch (error2) {
    return makeEarlyError({
      error: error2,
      command,
      escapedCommand,
      fileDescriptors,
      options,
      startTime,
      isSync: true
    });
  }
};
var normalizeSpawnSyncOptions = ({ encoding, maxBuffer, ...options }) => ({ ...options, encoding: "buffer", maxBuffer: getMaxBufferSync(maxBuffer) });
var getSyncResult = ({ error: error2, exitCode, signal, timedOut, isMaxBuffer, stdio, all, options, command, escapedCommand, startTime }) => error2 === void 0 ? makeSuccessResult({
  command,
  escapedCommand,
  stdio,
  all,
  ipcOutput: [],
  options,
  startTime
}) : makeError({
  error: error2,
  command,
  escapedCommand,
  timedOut,
  isCanceled: false,
  isGracefullyCanceled: false,
  isMaxBuffer,
  isForcefullyTerminated: false,
  exitCode,
  signal,
  stdio,
  all,
  ipcOutput: [],
  options,
  startTime,
  isSync: true
});

// ../../node_modules/execa/lib/methods/main-async.js
import { setMaxListeners } from "node:events";
import { spawn } from "node:child_process";

// ../../node_modules/execa/lib/ipc/methods.js
import process8 from "node:process";

// ../../node_modules/execa/lib/ipc/get-one.js
import { once as once5, on as on2 } from "node:events";
var getOneMessage = ({ anyProcess, channel, isSubprocess, ipc }, { reference = true, filter } = {}) => {
  validateIpcMethod({
    methodName: "getOneMessage",
    isSubprocess,
    ipc,
    isConnected: isConnected(anyProcess)
  });
  return getOneMessageAsync({
    anyProcess,
    channel,
    isSubprocess,
    filter,
    reference
  });
};
var getOneMessageAsync = async ({ anyProcess, channel, isSubprocess, filter, reference }) => {
  addReference(channel, reference);
  const ipcEmitter = getIpcEmitter(anyProcess, channel, isSubprocess);
  const controller = new AbortController();
  try {
    return await Promise.race([
      getMessage(ipcEmitter, filter, controller),
      throwOnDisconnect2(ipcEmitter, isSubprocess, controller),
      throwOnStrictError(ipcEmitter, isSubprocess, controller)
    ]);
  } catch (error2) {
    disconnect(anyProcess);
    throw error2;
  } finally {
    controller.abort();
    removeReference(channel, reference);
  }
};
var getMessage = async (ipcEmitter, filter, { signal }) => {
  if (filter === void 0) {
    const [message] = await once5(ipcEmitter, "message", { signal });
    return message;
  }
  for await (const [message] of on2(ipcEmitter, "message", { signal })) {
    if (filter(message)) {
      return message;
    }
  }
};
var throwOnDisconnect2 = async (ipcEmitter, isSubprocess, { signal }) => {
  await once5(ipcEmitter, "disconnect", { signal });
  throwOnEarlyDisconnect(isSubprocess);
};
var throwOnStrictError = async (ipcEmitter, isSubprocess, { signal }) => {
  const [error2] = await once5(ipcEmitter, "strict:error", { signal });
  throw getStrictResponseError(error2, isSubprocess);
};

// ../../node_modules/execa/lib/ipc/get-each.js
import { once as once6, on as on3 } from "node:events";
var getEachMessage = ({ anyProcess, channel, isSubprocess, ipc }, { reference = true } = {}) => loopOnMessages({
  anyProcess,
  channel,
  isSubprocess,
  ipc,
  shouldAwait: !isSubprocess,
  reference
});
var loopOnMessages = ({ anyProcess, channel, isSubprocess, ipc, shouldAwait, reference }) => {
  validateIpcMethod({
    methodName: "getEachMessage",
    isSubprocess,
    ipc,
    isConnected: isConnected(anyProcess)
  });
  addReference(channel, reference);
  const ipcEmitter = getIpcEmitter(anyProcess, channel, isSubprocess);
  const controller = new AbortController();
  const state = {};
  stopOnDisconnect(anyProcess, ipcEmitter, controller);
  abortOnStrictError({
    ipcEmitter,
    isSubprocess,
    controller,
    state
  });
  return iterateOnMessages({
    anyProcess,
    channel,
    ipcEmitter,
    isSubprocess,
    shouldAwait,
    controller,
    state,
    reference
  });
};
var stopOnDisconnect = async (anyProcess, ipcEmitter, controller) => {
  try {
    await once6(ipcEmitter, "disconnect", { signal: controller.signal });
    controller.abort();
  } catch {
  }
};
var abortOnStrictError = async ({ ipcEmitter, isSubprocess, controller, state }) => {
  try {
    const [error2] = await once6(ipcEmitter, "strict:error", { signal: controller.signal });
    state.error = getStrictResponseError(error2, isSubprocess);
    controller.abort();
  } catch {
  }
};
var iterateOnMessages = async function* ({ anyProcess, channel, ipcEmitter, isSubprocess, shouldAwait, controller, state, reference }) {
  try {
    for await (const [message] of on3(ipcEmitter, "message", { signal: controller.signal })) {
      throwIfStrictError(state);
      yield message;
    }
  } catch {
    throwIfStrictError(state);
  } finally {
    controller.abort();
    removeReference(channel, reference);
    if (!isSubprocess) {
      disconnect(anyProcess);
    }
    if (shouldAwait) {
      await anyProcess;
    }
  }
};
var throwIfStrictError = ({ error: error2 }) => {
  if (error2) {
    throw error2;
  }
};

// ../../node_modules/execa/lib/ipc/methods.js
var addIpcMethods = (subprocess, { ipc }) => {
  Object.assign(subprocess, getIpcMethods(subprocess, false, ipc));
};
var getIpcExport = () => {
  const anyProcess = process8;
  const isSubprocess = true;
  const ipc = process8.channel !== void 0;
  return {
    ...getIpcMethods(anyProcess, isSubprocess, ipc),
    getCancelSignal: getCancelSignal.bind(void 0, {
      anyProcess,
      channel: anyProcess.channel,
      isSubprocess,
      ipc
    })
  };
};
var getIpcMethods = (anyProcess, isSubprocess, ipc) => ({
  sendMessage: sendMessage.bind(void 0, {
    anyProcess,
    channel: anyProcess.channel,
    isSubprocess,
    ipc
  }),
  getOneMessage: getOneMessage.bind(void 0, {
    anyProcess,
    channel: anyProcess.channel,
    isSubprocess,
    ipc
  }),
  getEachMessage: getEachMessage.bind(void 0, {
    anyProcess,
    channel: anyProcess.channel,
    isSubprocess,
    ipc
  })
});

// ../../node_modules/execa/lib/return/early-error.js
import { ChildProcess as ChildProcess2 } from "node:child_process";
import {
  PassThrough,
  Readable,
  Writable,
  Duplex
} from "node:stream";
var handleEarlyError = ({ error: error2, command, escapedCommand, fileDescriptors, options, startTime, verboseInfo }) => {
  cleanupCustomStreams(fileDescriptors);
  const subprocess = new ChildProcess2();
  createDummyStreams(subprocess, fileDescriptors);
  Object.assign(subprocess, { readable, writable, duplex });
  const earlyError = makeEarlyError({
    error: error2,
    command,
    escapedCommand,
    fileDescriptors,
    options,
    startTime,
    isSync: false
  });
  const promise = handleDummyPromise(earlyError, verboseInfo, options);
  return { subprocess, promise };
};
var createDummyStreams = (subprocess, fileDescriptors) => {
  const stdin = createDummyStream();
  const stdout = createDummyStream();
  const stderr = createDummyStream();
  const extraStdio = Array.from({ length: fileDescriptors.length - 3 }, createDummyStream);
  const all = createDummyStream();
  const stdio = [stdin, stdout, stderr, ...extraStdio];
  Object.assign(subprocess, {
    stdin,
    stdout,
    stderr,
    all,
    stdio
  });
};
var createDummyStream = () => {
  const stream = new PassThrough();
  stream.end();
  return stream;
};
var readable = () => new Readable({ read() {
} });
var writable = () => new Writable({ write() {
} });
var duplex = () => new Duplex({ read() {
}, write() {
} });
var handleDummyPromise = async (error2, verboseInfo, options) => handleResult(error2, verboseInfo, options);

// ../../node_modules/execa/lib/stdio/handle-async.js
import { createReadStream, createWriteStream } from "node:fs";
import { Buffer as Buffer4 } from "node:buffer";
import { Readable as Readable2, Writable as Writable2, Duplex as Duplex2 } from "node:stream";
var handleStdioAsync = (options, verboseInfo) => handleStdio(addPropertiesAsync, options, verboseInfo, false);
var forbiddenIfAsync = ({ type, optionName }) => {
  throw new TypeError(`The \`${optionName}\` option cannot be ${TYPE_TO_MESSAGE[type]}.`);
};
var addProperties2 = {
  fileNumber: forbiddenIfAsync,
  generator: generatorToStream,
  asyncGenerator: generatorToStream,
  nodeStream: ({ value }) => ({ stream: value }),
  webTransform({ value: { transform, writableObjectMode, readableObjectMode } }) {
    const objectMode = writableObjectMode || readableObjectMode;
    const stream = Duplex2.fromWeb(transform, { objectMode });
    return { stream };
  },
  duplex: ({ value: { transform } }) => ({ stream: transform }),
  native() {
  }
};
var addPropertiesAsync = {
  input: {
    ...addProperties2,
    fileUrl: ({ value }) => ({ stream: createReadStream(value) }),
    filePath: ({ value: { file } }) => ({ stream: createReadStream(file) }),
    webStream: ({ value }) => ({ stream: Readable2.fromWeb(value) }),
    iterable: ({ value }) => ({ stream: Readable2.from(value) }),
    asyncIterable: ({ value }) => ({ stream: Readable2.from(value) }),
    string: ({ value }) => ({ stream: Readable2.from(value) }),
    uint8Array: ({ value }) => ({ stream: Readable2.from(Buffer4.from(value)) })
  },
  output: {
    ...addProperties2,
    fileUrl: ({ value }) => ({ stream: createWriteStream(value) }),
    filePath: ({ value: { file, append } }) => ({ stream: createWriteStream(file, append ? { flags: "a" } : {}) }),
    webStream: ({ value }) => ({ stream: Writable2.fromWeb(value) }),
    iterable: forbiddenIfAsync,
    asyncIterable: forbiddenIfAsync,
    string: forbiddenIfAsync,
    uint8Array: forbiddenIfAsync
  }
};

// ../../node_modules/@sindresorhus/merge-streams/index.js
import { on as on4, once as once7 } from "node:events";
import { PassThrough as PassThroughStream, getDefaultHighWaterMark as getDefaultHighWaterMark2 } from "node:stream";
import { finished as finished2 } from "node:stream/promises";
function mergeStreams(streams) {
  if (!Array.isArray(streams)) {
    throw new TypeError(`Expected an array, got \`${typeof streams}\`.`);
  }
  for (const stream of streams) {
    validateStream(stream);
  }
  const objectMode = streams.some(({ readableObjectMode }) => readableObjectMode);
  const highWaterMark = getHighWaterMark(streams, objectMode);
  const passThroughStream = new MergedStream({
    objectMode,
    writableHighWaterMark: highWaterMark,
    readableHighWaterMark: highWaterMark
  });
  for (const stream of streams) {
    passThroughStream.add(stream);
  }
  return passThroughStream;
}
var getHighWaterMark = (streams, objectMode) => {
  if (streams.length === 0) {
    return getDefaultHighWaterMark2(objectMode);
  }
  const highWaterMarks = streams.filter(({ readableObjectMode }) => readableObjectMode === objectMode).map(({ readableHighWaterMark }) => readableHighWaterMark);
  return Math.max(...highWaterMarks);
};
var MergedStream = class extends PassThroughStream {
  #streams = /* @__PURE__ */ new Set([]);
  #ended = /* @__PURE__ */ new Set([]);
  #aborted = /* @__PURE__ */ new Set([]);
  #onFinished;
  #unpipeEvent = /* @__PURE__ */ Symbol("unpipe");
  #streamPromises = /* @__PURE__ */ new WeakMap();
  add(stream) {
    validateStream(stream);
    if (this.#streams.has(stream)) {
      return;
    }
    this.#streams.add(stream);
    this.#onFinished ??= onMergedStreamFinished(this, this.#streams, this.#unpipeEvent);
    const streamPromise = endWhenStreamsDone({
      passThroughStream: this,
      stream,
      streams: this.#streams,
      ended: this.#ended,
      aborted: this.#aborted,
      onFinished: this.#onFinished,
      unpipeEvent: this.#unpipeEvent
    });
    this.#streamPromises.set(stream, streamPromise);
    stream.pipe(this, { end: false });
  }
  async remove(stream) {
    validateStream(stream);
    if (!this.#streams.has(stream)) {
      return false;
    }
    const streamPromise = this.#streamPromises.get(stream);
    if (streamPromise === void 0) {
      return false;
    }
    this.#streamPromises.delete(stream);
    stream.unpipe(this);
    await streamPromise;
    return true;
  }
};
var onMergedStreamFinished = async (passThroughStream, streams, unpipeEvent) => {
  updateMaxListeners(passThroughStream, PASSTHROUGH_LISTENERS_COUNT);
  const controller = new AbortController();
  try {
    await Promise.race([
      onMergedStreamEnd(passThroughStream, controller),
      onInputStreamsUnpipe(passThroughStream, streams, unpipeEvent, controller)
    ]);
  } finally {
    controller.abort();
    updateMaxListeners(passThroughStream, -PASSTHROUGH_LISTENERS_COUNT);
  }
};
var onMergedStreamEnd = async (passThroughStream, { signal }) => {
  try {
    await finished2(passThroughStream, { signal, cleanup: true });
  } catch (error2) {
    errorOrAbortStream(passThroughStream, error2);
    throw error2;
  }
};
var onInputStreamsUnpipe = async (passThroughStream, streams, unpipeEvent, { signal }) => {
  for await (const [unpipedStream] of on4(passThroughStream, "unpipe", { signal })) {
    if (streams.has(unpipedStream)) {
      unpipedStream.emit(unpipeEvent);
    }
  }
};
var validateStream = (stream) => {
  if (typeof stream?.pipe !== "function") {
    throw new TypeError(`Expected a readable stream, got: \`${typeof stream}\`.`);
  }
};
var endWhenStreamsDone = async ({ passThroughStream, stream, streams, ended, aborted: aborted2, onFinished, unpipeEvent }) => {
  updateMaxListeners(passThroughStream, PASSTHROUGH_LISTENERS_PER_STREAM);
  const controller = new AbortController();
  try {
    await Promise.race([
      afterMergedStreamFinished(onFinished, stream, controller),
      onInputStreamEnd({
        passThroughStream,
        stream,
        streams,
        ended,
        aborted: aborted2,
        controller
      }),
      onInputStreamUnpipe({
        stream,
        streams,
        ended,
        aborted: aborted2,
        unpipeEvent,
        controller
      })
    ]);
  } finally {
    controller.abort();
    updateMaxListeners(passThroughStream, -PASSTHROUGH_LISTENERS_PER_STREAM);
  }
  if (streams.size > 0 && streams.size === ended.size + aborted2.size) {
    if (ended.size === 0 && aborted2.size > 0) {
      abortStream(passThroughStream);
    } else {
      endStream(passThroughStream);
    }
  }
};
var afterMergedStreamFinished = async (onFinished, stream, { signal }) => {
  try {
    await onFinished;
    if (!signal.aborted) {
      abortStream(stream);
    }
  } catch (error2) {
    if (!signal.aborted) {
      errorOrAbortStream(stream, error2);
    }
  }
};
var onInputStreamEnd = async ({ passThroughStream, stream, streams, ended, aborted: aborted2, controller: { signal } }) => {
  try {
    await finished2(stream, {
      signal,
      cleanup: true,
      readable: true,
      writable: false
    });
    if (streams.has(stream)) {
      ended.add(stream);
    }
  } catch (error2) {
    if (signal.aborted || !streams.has(stream)) {
      return;
    }
    if (isAbortError(error2)) {
      aborted2.add(stream);
    } else {
      errorStream(passThroughStream, error2);
    }
  }
};
var onInputStreamUnpipe = async ({ stream, streams, ended, aborted: aborted2, unpipeEvent, controller: { signal } }) => {
  await once7(stream, unpipeEvent, { signal });
  if (!stream.readable) {
    return once7(signal, "abort", { signal });
  }
  streams.delete(stream);
  ended.delete(stream);
  aborted2.delete(stream);
};
var endStream = (stream) => {
  if (stream.writable) {
    stream.end();
  }
};
var errorOrAbortStream = (stream, error2) => {
  if (isAbortError(error2)) {
    abortStream(stream);
  } else {
    errorStream(stream, error2);
  }
};
var isAbortError = (error2) => error2?.code === "ERR_STREAM_PREMATURE_CLOSE";
var abortStream = (stream) => {
  if (stream.readable || stream.writable) {
    stream.destroy();
  }
};
var errorStream = (stream, error2) => {
  if (!stream.destroyed) {
    stream.once("error", noop2);
    stream.destroy(error2);
  }
};
var noop2 = () => {
};
var updateMaxListeners = (passThroughStream, increment2) => {
  const maxListeners = passThroughStream.getMaxListeners();
  if (maxListeners !== 0 && maxListeners !== Number.POSITIVE_INFINITY) {
    passThroughStream.setMaxListeners(maxListeners + increment2);
  }
};
var PASSTHROUGH_LISTENERS_COUNT = 2;
var PASSTHROUGH_LISTENERS_PER_STREAM = 1;

// ../../node_modules/execa/lib/io/pipeline.js
import { finished as finished3 } from "node:stream/promises";
var pipeStreams = (source, destination) => {
  source.pipe(destination);
  onSourceFinish(source, destination);
  onDestinationFinish(source, destination);
};
var onSourceFinish = async (source, destination) => {
  if (isStandardStream(source) || isStandardStream(destination)) {
    return;
  }
  try {
    await finished3(source, { cleanup: true, readable: true, writable: false });
  } catch {
  }
  endDestinationStream(destination);
};
var endDestinationStream = (destination) => {
  if (destination.writable) {
    destination.end();
  }
};
var onDestinationFinish = async (source, destination) => {
  if (isStandardStream(source) || isStandardStream(destination)) {
    return;
  }
  try {
    await finished3(destination, { cleanup: true, readable: false, writable: true });
  } catch {
  }
  abortSourceStream(source);
};
var abortSourceStream = (source) => {
  if (source.readable) {
    source.destroy();
  }
};

// ../../node_modules/execa/lib/io/output-async.js
var pipeOutputAsync = (subprocess, fileDescriptors, controller) => {
  const pipeGroups = /* @__PURE__ */ new Map();
  for (const [fdNumber, { stdioItems, direction }] of Object.entries(fileDescriptors)) {
    for (const { stream } of stdioItems.filter(({ type }) => TRANSFORM_TYPES.has(type))) {
      pipeTransform(subprocess, stream, direction, fdNumber);
    }
    for (const { stream } of stdioItems.filter(({ type }) => !TRANSFORM_TYPES.has(type))) {
      pipeStdioItem({
        subprocess,
        stream,
        direction,
        fdNumber,
        pipeGroups,
        controller
      });
    }
  }
  for (const [outputStream, inputStreams] of pipeGroups.entries()) {
    const inputStream = inputStreams.length === 1 ? inputStreams[0] : mergeStreams(inputStreams);
    pipeStreams(inputStream, outputStream);
  }
};
var pipeTransform = (subprocess, stream, direction, fdNumber) => {
  if (direction === "output") {
    pipeStreams(subprocess.stdio[fdNumber], stream);
  } else {
    pipeStreams(stream, subprocess.stdio[fdNumber]);
  }
  const streamProperty = SUBPROCESS_STREAM_PROPERTIES[fdNumber];
  if (streamProperty !== void 0) {
    subprocess[streamProperty] = stream;
  }
  subprocess.stdio[fdNumber] = stream;
};
var SUBPROCESS_STREAM_PROPERTIES = ["stdin", "stdout", "stderr"];
var pipeStdioItem = ({ subprocess, stream, direction, fdNumber, pipeGroups, controller }) => {
  if (stream === void 0) {
    return;
  }
  setStandardStreamMaxListeners(stream, controller);
  const [inputStream, outputStream] = direction === "output" ? [stream, subprocess.stdio[fdNumber]] : [subprocess.stdio[fdNumber], stream];
  const outputStreams = pipeGroups.get(inputStream) ?? [];
  pipeGroups.set(inputStream, [...outputStreams, outputStream]);
};
var setStandardStreamMaxListeners = (stream, { signal }) => {
  if (isStandardStream(stream)) {
    incrementMaxListeners(stream, MAX_LISTENERS_INCREMENT, signal);
  }
};
var MAX_LISTENERS_INCREMENT = 2;

// ../../node_modules/execa/lib/terminate/cleanup.js
import { addAbortListener as addAbortListener2 } from "node:events";

// ../../node_modules/signal-exit/dist/mjs/signals.js
var signals = [];
signals.push("SIGHUP", "SIGINT", "SIGTERM");
if (process.platform !== "win32") {
  signals.push(
    "SIGALRM",
    "SIGABRT",
    "SIGVTALRM",
    "SIGXCPU",
    "SIGXFSZ",
    "SIGUSR2",
    "SIGTRAP",
    "SIGSYS",
    "SIGQUIT",
    "SIGIOT"
    // should detect profiler and enable/disable accordingly.
    // see #21
    // 'SIGPROF'
  );
}
if (process.platform === "linux") {
  signals.push("SIGIO", "SIGPOLL", "SIGPWR", "SIGSTKFLT");
}

// ../../node_modules/signal-exit/dist/mjs/index.js
var processOk = (process10) => !!process10 && typeof process10 === "object" && typeof process10.removeListener === "function" && typeof process10.emit === "function" && typeof process10.reallyExit === "function" && typeof process10.listeners === "function" && typeof process10.kill === "function" && typeof process10.pid === "number" && typeof process10.on === "function";
var kExitEmitter = /* @__PURE__ */ Symbol.for("signal-exit emitter");
var global2 = globalThis;
var ObjectDefineProperty = Object.defineProperty.bind(Object);
var Emitter = class {
  emitted = {
    afterExit: false,
    exit: false
  };
  listeners = {
    afterExit: [],
    exit: []
  };
  count = 0;
  id = Math.random();
  constructor() {
    if (global2[kExitEmitter]) {
      return global2[kExitEmitter];
    }
    ObjectDefineProperty(global2, kExitEmitter, {
      value: this,
      writable: false,
      enumerable: false,
      configurable: false
    });
  }
  on(ev, fn) {
    this.listeners[ev].push(fn);
  }
  removeListener(ev, fn) {
    const list = this.listeners[ev];
    const i2 = list.indexOf(fn);
    if (i2 === -1) {
      return;
    }
    if (i2 === 0 && list.length === 1) {
      list.length = 0;
    } else {
      list.splice(i2, 1);
    }
  }
  emit(ev, code, signal) {
    if (this.emitted[ev]) {
      return false;
    }
    this.emitted[ev] = true;
    let ret = false;
    for (const fn of this.listeners[ev]) {
      ret = fn(code, signal) === true || ret;
    }
    if (ev === "exit") {
      ret = this.emit("afterExit", code, signal) || ret;
    }
    return ret;
  }
};
var SignalExitBase = class {
};
var signalExitWrap = (handler) => {
  return {
    onExit(cb, opts) {
      return handler.onExit(cb, opts);
    },
    load() {
      return handler.load();
    },
    unload() {
      return handler.unload();
    }
  };
};
var SignalExitFallback = class extends SignalExitBase {
  onExit() {
    return () => {
    };
  }
  load() {
  }
  unload() {
  }
};
var SignalExit = class extends SignalExitBase {
  // "SIGHUP" throws an `ENOSYS` error on Windows,
  // so use a supported signal instead
  /* c8 ignore start */
  #hupSig = process9.platform === "win32" ? "SIGINT" : "SIGHUP";
  /* c8 ignore stop */
  #emitter = new Emitter();
  #process;
  #originalProcessEmit;
  #originalProcessReallyExit;
  #sigListeners = {};
  #loaded = false;
  constructor(process10) {
    super();
    this.#process = process10;
    this.#sigListeners = {};
    for (const sig of signals) {
      this.#sigListeners[sig] = () => {
        const listeners = this.#process.listeners(sig);
        let { count: count2 } = this.#emitter;
        const p = process10;
        if (typeof p.__signal_exit_emitter__ === "object" && typeof p.__signal_exit_emitter__.count === "number") {
          count2 += p.__signal_exit_emitter__.count;
        }
        if (listeners.length === count2) {
          this.unload();
          const ret = this.#emitter.emit("exit", null, sig);
          const s = sig === "SIGHUP" ? this.#hupSig : sig;
          if (!ret)
            process10.kill(process10.pid, s);
        }
      };
    }
    this.#originalProcessReallyExit = process10.reallyExit;
    this.#originalProcessEmit = process10.emit;
  }
  onExit(cb, opts) {
    if (!processOk(this.#process)) {
      return () => {
      };
    }
    if (this.#loaded === false) {
      this.load();
    }
    const ev = opts?.alwaysLast ? "afterExit" : "exit";
    this.#emitter.on(ev, cb);
    return () => {
      this.#emitter.removeListener(ev, cb);
      if (this.#emitter.listeners["exit"].length === 0 && this.#emitter.listeners["afterExit"].length === 0) {
        this.unload();
      }
    };
  }
  load() {
    if (this.#loaded) {
      return;
    }
    this.#loaded = true;
    this.#emitter.count += 1;
    for (const sig of signals) {
      try {
        const fn = this.#sigListeners[sig];
        if (fn)
          this.#process.on(sig, fn);
      } catch (_) {
      }
    }
    this.#process.emit = (ev, ...a2) => {
      return this.#processEmit(ev, ...a2);
    };
    this.#process.reallyExit = (code) => {
      return this.#processReallyExit(code);
    };
  }
  unload() {
    if (!this.#loaded) {
      return;
    }
    this.#loaded = false;
    signals.forEach((sig) => {
      const listener = this.#sigListeners[sig];
      if (!listener) {
        throw new Error("Listener not defined for signal: " + sig);
      }
      try {
        this.#process.removeListener(sig, listener);
      } catch (_) {
      }
    });
    this.#process.emit = this.#originalProcessEmit;
    this.#process.reallyExit = this.#originalProcessReallyExit;
    this.#emitter.count -= 1;
  }
  #processReallyExit(code) {
    if (!processOk(this.#process)) {
      return 0;
    }
    this.#process.exitCode = code || 0;
    this.#emitter.emit("exit", this.#process.exitCode, null);
    return this.#originalProcessReallyExit.call(this.#process, this.#process.exitCode);
  }
  #processEmit(ev, ...args) {
    const og = this.#originalProcessEmit;
    if (ev === "exit" && processOk(this.#process)) {
      if (typeof args[0] === "number") {
        this.#process.exitCode = args[0];
      }
      const ret = og.call(this.#process, ev, ...args);
      this.#emitter.emit("exit", this.#process.exitCode, null);
      return ret;
    } else {
      return og.call(this.#process, ev, ...args);
    }
  }
};
var process9 = globalThis.process;
var {
  /**
   * Called when the process is exiting, whether via signal, explicit
   * exit, or running out of stuff to do.
   *
   * If the global process object is not suitable for instrumentation,
   * then this will be a no-op.
   *
   * Returns a function that may be used to unload signal-exit.
   */
  onExit,
  /**
   * Load the listeners.  Likely you never need to call this, unless
   * doing a rather deep integration with signal-exit functionality.
   * Mostly exposed for the benefit of testing.
   *
   * @internal
   */
  load,
  /**
   * Unload the listeners.  Likely you never need to call this, unless
   * doing a rather deep integration with signal-exit functionality.
   * Mostly exposed for the benefit of testing.
   *
   * @internal
   */
  unload
} = signalExitWrap(processOk(process9) ? new SignalExit(process9) : new SignalExitFallback());

// ../../node_modules/execa/lib/terminate/cleanup.js
var cleanupOnExit = (subprocess, { cleanup, detached }, { signal }) => {
  if (!cleanup || detached) {
    return;
  }
  const removeExitHandler = onExit(() => {
    subprocess.kill();
  });
  addAbortListener2(signal, () => {
    removeExitHandler();
  });
};

// ../../node_modules/execa/lib/pipe/pipe-arguments.js
var normalizePipeArguments = ({ source, sourcePromise, boundOptions, createNested }, ...pipeArguments) => {
  const startTime = getStartTime();
  const {
    destination,
    destinationStream,
    destinationError,
    from,
    unpipeSignal
  } = getDestinationStream(boundOptions, createNested, pipeArguments);
  const { sourceStream, sourceError } = getSourceStream(source, from);
  const { options: sourceOptions, fileDescriptors } = SUBPROCESS_OPTIONS.get(source);
  return {
    sourcePromise,
    sourceStream,
    sourceOptions,
    sourceError,
    destination,
    destinationStream,
    destinationError,
    unpipeSignal,
    fileDescriptors,
    startTime
  };
};
var getDestinationStream = (boundOptions, createNested, pipeArguments) => {
  try {
    const {
      destination,
      pipeOptions: { from, to, unpipeSignal } = {}
    } = getDestination(boundOptions, createNested, ...pipeArguments);
    const destinationStream = getToStream(destination, to);
    return {
      destination,
      destinationStream,
      from,
      unpipeSignal
    };
  } catch (error2) {
    return { destinationError: error2 };
  }
};
var getDestination = (boundOptions, createNested, firstArgument, ...pipeArguments) => {
  if (Array.isArray(firstArgument)) {
    const destination = createNested(mapDestinationArguments, boundOptions)(firstArgument, ...pipeArguments);
    return { destination, pipeOptions: boundOptions };
  }
  if (typeof firstArgument === "string" || firstArgument instanceof URL || isDenoExecPath(firstArgument)) {
    if (Object.keys(boundOptions).length > 0) {
      throw new TypeError('Please use .pipe("file", ..., options) or .pipe(execa("file", ..., options)) instead of .pipe(options)("file", ...).');
    }
    const [rawFile, rawArguments, rawOptions] = normalizeParameters(firstArgument, ...pipeArguments);
    const destination = createNested(mapDestinationArguments)(rawFile, rawArguments, rawOptions);
    return { destination, pipeOptions: rawOptions };
  }
  if (SUBPROCESS_OPTIONS.has(firstArgument)) {
    if (Object.keys(boundOptions).length > 0) {
      throw new TypeError("Please use .pipe(options)`command` or .pipe($(options)`command`) instead of .pipe(options)($`command`).");
    }
    return { destination: firstArgument, pipeOptions: pipeArguments[0] };
  }
  throw new TypeError(`The first argument must be a template string, an options object, or an Execa subprocess: ${firstArgument}`);
};
var mapDestinationArguments = ({ options }) => ({ options: { ...options, stdin: "pipe", piped: true } });
var getSourceStream = (source, from) => {
  try {
    const sourceStream = getFromStream(source, from);
    return { sourceStream };
  } catch (error2) {
    return { sourceError: error2 };
  }
};

// ../../node_modules/execa/lib/pipe/throw.js
var handlePipeArgumentsError = ({
  sourceStream,
  sourceError,
  destinationStream,
  destinationError,
  fileDescriptors,
  sourceOptions,
  startTime
}) => {
  const error2 = getPipeArgumentsError({
    sourceStream,
    sourceError,
    destinationStream,
    destinationError
  });
  if (error2 !== void 0) {
    throw createNonCommandError({
      error: error2,
      fileDescriptors,
      sourceOptions,
      startTime
    });
  }
};
var getPipeArgumentsError = ({ sourceStream, sourceError, destinationStream, destinationError }) => {
  if (sourceError !== void 0 && destinationError !== void 0) {
    return destinationError;
  }
  if (destinationError !== void 0) {
    abortSourceStream(sourceStream);
    return destinationError;
  }
  if (sourceError !== void 0) {
    endDestinationStream(destinationStream);
    return sourceError;
  }
};
var createNonCommandError = ({ error: error2, fileDescriptors, sourceOptions, startTime }) => makeEarlyError({
  error: error2,
  command: PIPE_COMMAND_MESSAGE,
  escapedCommand: PIPE_COMMAND_MESSAGE,
  fileDescriptors,
  options: sourceOptions,
  startTime,
  isSync: false
});
var PIPE_COMMAND_MESSAGE = "source.pipe(destination)";

// ../../node_modules/execa/lib/pipe/sequence.js
var waitForBothSubprocesses = async (subprocessPromises) => {
  const [
    { status: sourceStatus, reason: sourceReason, value: sourceResult = sourceReason },
    { status: destinationStatus, reason: destinationReason, value: destinationResult = destinationReason }
  ] = await subprocessPromises;
  if (!destinationResult.pipedFrom.includes(sourceResult)) {
    destinationResult.pipedFrom.push(sourceResult);
  }
  if (destinationStatus === "rejected") {
    throw destinationResult;
  }
  if (sourceStatus === "rejected") {
    throw sourceResult;
  }
  return destinationResult;
};

// ../../node_modules/execa/lib/pipe/streaming.js
import { finished as finished4 } from "node:stream/promises";
var pipeSubprocessStream = (sourceStream, destinationStream, maxListenersController) => {
  const mergedStream = MERGED_STREAMS.has(destinationStream) ? pipeMoreSubprocessStream(sourceStream, destinationStream) : pipeFirstSubprocessStream(sourceStream, destinationStream);
  incrementMaxListeners(sourceStream, SOURCE_LISTENERS_PER_PIPE, maxListenersController.signal);
  incrementMaxListeners(destinationStream, DESTINATION_LISTENERS_PER_PIPE, maxListenersController.signal);
  cleanupMergedStreamsMap(destinationStream);
  return mergedStream;
};
var pipeFirstSubprocessStream = (sourceStream, destinationStream) => {
  const mergedStream = mergeStreams([sourceStream]);
  pipeStreams(mergedStream, destinationStream);
  MERGED_STREAMS.set(destinationStream, mergedStream);
  return mergedStream;
};
var pipeMoreSubprocessStream = (sourceStream, destinationStream) => {
  const mergedStream = MERGED_STREAMS.get(destinationStream);
  mergedStream.add(sourceStream);
  return mergedStream;
};
var cleanupMergedStreamsMap = async (destinationStream) => {
  try {
    await finished4(destinationStream, { cleanup: true, readable: false, writable: true });
  } catch {
  }
  MERGED_STREAMS.delete(destinationStream);
};
var MERGED_STREAMS = /* @__PURE__ */ new WeakMap();
var SOURCE_LISTENERS_PER_PIPE = 2;
var DESTINATION_LISTENERS_PER_PIPE = 1;

// ../../node_modules/execa/lib/pipe/abort.js
import { aborted } from "node:util";
var unpipeOnAbort = (unpipeSignal, unpipeContext) => unpipeSignal === void 0 ? [] : [unpipeOnSignalAbort(unpipeSignal, unpipeContext)];
var unpipeOnSignalAbort = async (unpipeSignal, { sourceStream, mergedStream, fileDescriptors, sourceOptions, startTime }) => {
  await aborted(unpipeSignal, sourceStream);
  await mergedStream.remove(sourceStream);
  const error2 = new Error("Pipe canceled by `unpipeSignal` option.");
  throw createNonCommandError({
    error: error2,
    fileDescriptors,
    sourceOptions,
    startTime
  });
};

// ../../node_modules/execa/lib/pipe/setup.js
var pipeToSubprocess = (sourceInfo, ...pipeArguments) => {
  if (isPlainObject(pipeArguments[0])) {
    return pipeToSubprocess.bind(void 0, {
      ...sourceInfo,
      boundOptions: { ...sourceInfo.boundOptions, ...pipeArguments[0] }
    });
  }
  const { destination, ...normalizedInfo } = normalizePipeArguments(sourceInfo, ...pipeArguments);
  const promise = handlePipePromise({ ...normalizedInfo, destination });
  promise.pipe = pipeToSubprocess.bind(void 0, {
    ...sourceInfo,
    source: destination,
    sourcePromise: promise,
    boundOptions: {}
  });
  return promise;
};
var handlePipePromise = async ({
  sourcePromise,
  sourceStream,
  sourceOptions,
  sourceError,
  destination,
  destinationStream,
  destinationError,
  unpipeSignal,
  fileDescriptors,
  startTime
}) => {
  const subprocessPromises = getSubprocessPromises(sourcePromise, destination);
  handlePipeArgumentsError({
    sourceStream,
    sourceError,
    destinationStream,
    destinationError,
    fileDescriptors,
    sourceOptions,
    startTime
  });
  const maxListenersController = new AbortController();
  try {
    const mergedStream = pipeSubprocessStream(sourceStream, destinationStream, maxListenersController);
    return await Promise.race([
      waitForBothSubprocesses(subprocessPromises),
      ...unpipeOnAbort(unpipeSignal, {
        sourceStream,
        mergedStream,
        sourceOptions,
        fileDescriptors,
        startTime
      })
    ]);
  } finally {
    maxListenersController.abort();
  }
};
var getSubprocessPromises = (sourcePromise, destination) => Promise.allSettled([sourcePromise, destination]);

// ../../node_modules/execa/lib/io/contents.js
import { setImmediate } from "node:timers/promises";

// ../../node_modules/execa/lib/io/iterate.js
import { on as on5 } from "node:events";
import { getDefaultHighWaterMark as getDefaultHighWaterMark3 } from "node:stream";
var iterateOnSubprocessStream = ({ subprocessStdout, subprocess, binary, shouldEncode, encoding, preserveNewlines }) => {
  const controller = new AbortController();
  stopReadingOnExit(subprocess, controller);
  return iterateOnStream({
    stream: subprocessStdout,
    controller,
    binary,
    shouldEncode: !subprocessStdout.readableObjectMode && shouldEncode,
    encoding,
    shouldSplit: !subprocessStdout.readableObjectMode,
    preserveNewlines
  });
};
var stopReadingOnExit = async (subprocess, controller) => {
  try {
    await subprocess;
  } catch {
  } finally {
    controller.abort();
  }
};
var iterateForResult = ({ stream, onStreamEnd, lines, encoding, stripFinalNewline: stripFinalNewline2, allMixed }) => {
  const controller = new AbortController();
  stopReadingOnStreamEnd(onStreamEnd, controller, stream);
  const objectMode = stream.readableObjectMode && !allMixed;
  return iterateOnStream({
    stream,
    controller,
    binary: encoding === "buffer",
    shouldEncode: !objectMode,
    encoding,
    shouldSplit: !objectMode && lines,
    preserveNewlines: !stripFinalNewline2
  });
};
var stopReadingOnStreamEnd = async (onStreamEnd, controller, stream) => {
  try {
    await onStreamEnd;
  } catch {
    stream.destroy();
  } finally {
    controller.abort();
  }
};
var iterateOnStream = ({ stream, controller, binary, shouldEncode, encoding, shouldSplit, preserveNewlines }) => {
  const onStdoutChunk = on5(stream, "data", {
    signal: controller.signal,
    highWaterMark: HIGH_WATER_MARK,
    // Backward compatibility with older name for this option
    // See https://github.com/nodejs/node/pull/52080#discussion_r1525227861
    // @todo Remove after removing support for Node 21
    highWatermark: HIGH_WATER_MARK
  });
  return iterateOnData({
    onStdoutChunk,
    controller,
    binary,
    shouldEncode,
    encoding,
    shouldSplit,
    preserveNewlines
  });
};
var DEFAULT_OBJECT_HIGH_WATER_MARK = getDefaultHighWaterMark3(true);
var HIGH_WATER_MARK = DEFAULT_OBJECT_HIGH_WATER_MARK;
var iterateOnData = async function* ({ onStdoutChunk, controller, binary, shouldEncode, encoding, shouldSplit, preserveNewlines }) {
  const generators = getGenerators({
    binary,
    shouldEncode,
    encoding,
    shouldSplit,
    preserveNewlines
  });
  try {
    for await (const [chunk] of onStdoutChunk) {
      yield* transformChunkSync(chunk, generators, 0);
    }
  } catch (error2) {
    if (!controller.signal.aborted) {
      throw error2;
    }
  } finally {
    yield* finalChunksSync(generators);
  }
};
var getGenerators = ({ binary, shouldEncode, encoding, shouldSplit, preserveNewlines }) => [
  getEncodingTransformGenerator(binary, encoding, !shouldEncode),
  getSplitLinesGenerator(binary, preserveNewlines, !shouldSplit, {})
].filter(Boolean);

// ../../node_modules/execa/lib/io/contents.js
var getStreamOutput = async ({ stream, onStreamEnd, fdNumber, encoding, buffer, maxBuffer, lines, allMixed, stripFinalNewline: stripFinalNewline2, verboseInfo, streamInfo }) => {
  const logPromise = logOutputAsync({
    stream,
    onStreamEnd,
    fdNumber,
    encoding,
    allMixed,
    verboseInfo,
    streamInfo
  });
  if (!buffer) {
    await Promise.all([resumeStream(stream), logPromise]);
    return;
  }
  const stripFinalNewlineValue = getStripFinalNewline(stripFinalNewline2, fdNumber);
  const iterable = iterateForResult({
    stream,
    onStreamEnd,
    lines,
    encoding,
    stripFinalNewline: stripFinalNewlineValue,
    allMixed
  });
  const [output] = await Promise.all([
    getStreamContents2({
      stream,
      iterable,
      fdNumber,
      encoding,
      maxBuffer,
      lines
    }),
    logPromise
  ]);
  return output;
};
var logOutputAsync = async ({ stream, onStreamEnd, fdNumber, encoding, allMixed, verboseInfo, streamInfo: { fileDescriptors } }) => {
  if (!shouldLogOutput({
    stdioItems: fileDescriptors[fdNumber]?.stdioItems,
    encoding,
    verboseInfo,
    fdNumber
  })) {
    return;
  }
  const linesIterable = iterateForResult({
    stream,
    onStreamEnd,
    lines: true,
    encoding,
    stripFinalNewline: true,
    allMixed
  });
  await logLines(linesIterable, stream, fdNumber, verboseInfo);
};
var resumeStream = async (stream) => {
  await setImmediate();
  if (stream.readableFlowing === null) {
    stream.resume();
  }
};
var getStreamContents2 = async ({ stream, stream: { readableObjectMode }, iterable, fdNumber, encoding, maxBuffer, lines }) => {
  try {
    if (readableObjectMode || lines) {
      return await getStreamAsArray(iterable, { maxBuffer });
    }
    if (encoding === "buffer") {
      return new Uint8Array(await getStreamAsArrayBuffer(iterable, { maxBuffer }));
    }
    return await getStreamAsString(iterable, { maxBuffer });
  } catch (error2) {
    return handleBufferedData(handleMaxBuffer({
      error: error2,
      stream,
      readableObjectMode,
      lines,
      encoding,
      fdNumber
    }));
  }
};
var getBufferedData = async (streamPromise) => {
  try {
    return await streamPromise;
  } catch (error2) {
    return handleBufferedData(error2);
  }
};
var handleBufferedData = ({ bufferedData }) => isArrayBuffer(bufferedData) ? new Uint8Array(bufferedData) : bufferedData;

// ../../node_modules/execa/lib/resolve/wait-stream.js
import { finished as finished5 } from "node:stream/promises";
var waitForStream = async (stream, fdNumber, streamInfo, { isSameDirection, stopOnExit = false } = {}) => {
  const state = handleStdinDestroy(stream, streamInfo);
  const abortController = new AbortController();
  try {
    await Promise.race([
      ...stopOnExit ? [streamInfo.exitPromise] : [],
      finished5(stream, { cleanup: true, signal: abortController.signal })
    ]);
  } catch (error2) {
    if (!state.stdinCleanedUp) {
      handleStreamError(error2, fdNumber, streamInfo, isSameDirection);
    }
  } finally {
    abortController.abort();
  }
};
var handleStdinDestroy = (stream, { originalStreams: [originalStdin], subprocess }) => {
  const state = { stdinCleanedUp: false };
  if (stream === originalStdin) {
    spyOnStdinDestroy(stream, subprocess, state);
  }
  return state;
};
var spyOnStdinDestroy = (subprocessStdin, subprocess, state) => {
  const { _destroy } = subprocessStdin;
  subprocessStdin._destroy = (...destroyArguments) => {
    setStdinCleanedUp(subprocess, state);
    _destroy.call(subprocessStdin, ...destroyArguments);
  };
};
var setStdinCleanedUp = ({ exitCode, signalCode }, state) => {
  if (exitCode !== null || signalCode !== null) {
    state.stdinCleanedUp = true;
  }
};
var handleStreamError = (error2, fdNumber, streamInfo, isSameDirection) => {
  if (!shouldIgnoreStreamError(error2, fdNumber, streamInfo, isSameDirection)) {
    throw error2;
  }
};
var shouldIgnoreStreamError = (error2, fdNumber, streamInfo, isSameDirection = true) => {
  if (streamInfo.propagating) {
    return isStreamEpipe(error2) || isStreamAbort(error2);
  }
  streamInfo.propagating = true;
  return isInputFileDescriptor(streamInfo, fdNumber) === isSameDirection ? isStreamEpipe(error2) : isStreamAbort(error2);
};
var isInputFileDescriptor = ({ fileDescriptors }, fdNumber) => fdNumber !== "all" && fileDescriptors[fdNumber].direction === "input";
var isStreamAbort = (error2) => error2?.code === "ERR_STREAM_PREMATURE_CLOSE";
var isStreamEpipe = (error2) => error2?.code === "EPIPE";

// ../../node_modules/execa/lib/resolve/stdio.js
var waitForStdioStreams = ({ subprocess, encoding, buffer, maxBuffer, lines, stripFinalNewline: stripFinalNewline2, verboseInfo, streamInfo }) => subprocess.stdio.map((stream, fdNumber) => waitForSubprocessStream({
  stream,
  fdNumber,
  encoding,
  buffer: buffer[fdNumber],
  maxBuffer: maxBuffer[fdNumber],
  lines: lines[fdNumber],
  allMixed: false,
  stripFinalNewline: stripFinalNewline2,
  verboseInfo,
  streamInfo
}));
var waitForSubprocessStream = async ({ stream, fdNumber, encoding, buffer, maxBuffer, lines, allMixed, stripFinalNewline: stripFinalNewline2, verboseInfo, streamInfo }) => {
  if (!stream) {
    return;
  }
  const onStreamEnd = waitForStream(stream, fdNumber, streamInfo);
  if (isInputFileDescriptor(streamInfo, fdNumber)) {
    await onStreamEnd;
    return;
  }
  const [output] = await Promise.all([
    getStreamOutput({
      stream,
      onStreamEnd,
      fdNumber,
      encoding,
      buffer,
      maxBuffer,
      lines,
      allMixed,
      stripFinalNewline: stripFinalNewline2,
      verboseInfo,
      streamInfo
    }),
    onStreamEnd
  ]);
  return output;
};

// ../../node_modules/execa/lib/resolve/all-async.js
var makeAllStream = ({ stdout, stderr }, { all }) => all && (stdout || stderr) ? mergeStreams([stdout, stderr].filter(Boolean)) : void 0;
var waitForAllStream = ({ subprocess, encoding, buffer, maxBuffer, lines, stripFinalNewline: stripFinalNewline2, verboseInfo, streamInfo }) => waitForSubprocessStream({
  ...getAllStream(subprocess, buffer),
  fdNumber: "all",
  encoding,
  maxBuffer: maxBuffer[1] + maxBuffer[2],
  lines: lines[1] || lines[2],
  allMixed: getAllMixed(subprocess),
  stripFinalNewline: stripFinalNewline2,
  verboseInfo,
  streamInfo
});
var getAllStream = ({ stdout, stderr, all }, [, bufferStdout, bufferStderr]) => {
  const buffer = bufferStdout || bufferStderr;
  if (!buffer) {
    return { stream: all, buffer };
  }
  if (!bufferStdout) {
    return { stream: stderr, buffer };
  }
  if (!bufferStderr) {
    return { stream: stdout, buffer };
  }
  return { stream: all, buffer };
};
var getAllMixed = ({ all, stdout, stderr }) => all && stdout && stderr && stdout.readableObjectMode !== stderr.readableObjectMode;

// ../../node_modules/execa/lib/resolve/wait-subprocess.js
import { once as once8 } from "node:events";

// ../../node_modules/execa/lib/verbose/ipc.js
var shouldLogIpc = (verboseInfo) => isFullVerbose(verboseInfo, "ipc");
var logIpcOutput = (message, verboseInfo) => {
  const verboseMessage = serializeVerboseMessage(message);
  verboseLog({
    type: "ipc",
    verboseMessage,
    fdNumber: "ipc",
    verboseInfo
  });
};

// ../../node_modules/execa/lib/ipc/buffer-messages.js
var waitForIpcOutput = async ({
  subprocess,
  buffer: bufferArray,
  maxBuffer: maxBufferArray,
  ipc,
  ipcOutput,
  verboseInfo
}) => {
  if (!ipc) {
    return ipcOutput;
  }
  const isVerbose2 = shouldLogIpc(verboseInfo);
  const buffer = getFdSpecificValue(bufferArray, "ipc");
  const maxBuffer = getFdSpecificValue(maxBufferArray, "ipc");
  for await (const message of loopOnMessages({
    anyProcess: subprocess,
    channel: subprocess.channel,
    isSubprocess: false,
    ipc,
    shouldAwait: false,
    reference: true
  })) {
    if (buffer) {
      checkIpcMaxBuffer(subprocess, ipcOutput, maxBuffer);
      ipcOutput.push(message);
    }
    if (isVerbose2) {
      logIpcOutput(message, verboseInfo);
    }
  }
  return ipcOutput;
};
var getBufferedIpcOutput = async (ipcOutputPromise, ipcOutput) => {
  await Promise.allSettled([ipcOutputPromise]);
  return ipcOutput;
};

// ../../node_modules/execa/lib/resolve/wait-subprocess.js
var waitForSubprocessResult = async ({
  subprocess,
  options: {
    encoding,
    buffer,
    maxBuffer,
    lines,
    timeoutDuration: timeout,
    cancelSignal,
    gracefulCancel,
    forceKillAfterDelay,
    stripFinalNewline: stripFinalNewline2,
    ipc,
    ipcInput
  },
  context,
  verboseInfo,
  fileDescriptors,
  originalStreams,
  onInternalError,
  controller
}) => {
  const exitPromise = waitForExit(subprocess, context);
  const streamInfo = {
    originalStreams,
    fileDescriptors,
    subprocess,
    exitPromise,
    propagating: false
  };
  const stdioPromises = waitForStdioStreams({
    subprocess,
    encoding,
    buffer,
    maxBuffer,
    lines,
    stripFinalNewline: stripFinalNewline2,
    verboseInfo,
    streamInfo
  });
  const allPromise = waitForAllStream({
    subprocess,
    encoding,
    buffer,
    maxBuffer,
    lines,
    stripFinalNewline: stripFinalNewline2,
    verboseInfo,
    streamInfo
  });
  const ipcOutput = [];
  const ipcOutputPromise = waitForIpcOutput({
    subprocess,
    buffer,
    maxBuffer,
    ipc,
    ipcOutput,
    verboseInfo
  });
  const originalPromises = waitForOriginalStreams(originalStreams, subprocess, streamInfo);
  const customStreamsEndPromises = waitForCustomStreamsEnd(fileDescriptors, streamInfo);
  try {
    return await Promise.race([
      Promise.all([
        {},
        waitForSuccessfulExit(exitPromise),
        Promise.all(stdioPromises),
        allPromise,
        ipcOutputPromise,
        sendIpcInput(subprocess, ipcInput),
        ...originalPromises,
        ...customStreamsEndPromises
      ]),
      onInternalError,
      throwOnSubprocessError(subprocess, controller),
      ...throwOnTimeout(subprocess, timeout, context, controller),
      ...throwOnCancel({
        subprocess,
        cancelSignal,
        gracefulCancel,
        context,
        controller
      }),
      ...throwOnGracefulCancel({
        subprocess,
        cancelSignal,
        gracefulCancel,
        forceKillAfterDelay,
        context,
        controller
      })
    ]);
  } catch (error2) {
    context.terminationReason ??= "other";
    return Promise.all([
      { error: error2 },
      exitPromise,
      Promise.all(stdioPromises.map((stdioPromise) => getBufferedData(stdioPromise))),
      getBufferedData(allPromise),
      getBufferedIpcOutput(ipcOutputPromise, ipcOutput),
      Promise.allSettled(originalPromises),
      Promise.allSettled(customStreamsEndPromises)
    ]);
  }
};
var waitForOriginalStreams = (originalStreams, subprocess, streamInfo) => originalStreams.map((stream, fdNumber) => stream === subprocess.stdio[fdNumber] ? void 0 : waitForStream(stream, fdNumber, streamInfo));
var waitForCustomStreamsEnd = (fileDescriptors, streamInfo) => fileDescriptors.flatMap(({ stdioItems }, fdNumber) => stdioItems.filter(({ value, stream = value }) => isStream(stream, { checkOpen: false }) && !isStandardStream(stream)).map(({ type, value, stream = value }) => waitForStream(stream, fdNumber, streamInfo, {
  isSameDirection: TRANSFORM_TYPES.has(type),
  stopOnExit: type === "native"
})));
var throwOnSubprocessError = async (subprocess, { signal }) => {
  const [error2] = await once8(subprocess, "error", { signal });
  throw error2;
};

// ../../node_modules/execa/lib/convert/concurrent.js
var initializeConcurrentStreams = () => ({
  readableDestroy: /* @__PURE__ */ new WeakMap(),
  writableFinal: /* @__PURE__ */ new WeakMap(),
  writableDestroy: /* @__PURE__ */ new WeakMap()
});
var addConcurrentStream = (concurrentStreams, stream, waitName) => {
  const weakMap = concurrentStreams[waitName];
  if (!weakMap.has(stream)) {
    weakMap.set(stream, []);
  }
  const promises = weakMap.get(stream);
  const promise = createDeferred();
  promises.push(promise);
  const resolve3 = promise.resolve.bind(promise);
  return { resolve: resolve3, promises };
};
var waitForConcurrentStreams = async ({ resolve: resolve3, promises }, subprocess) => {
  resolve3();
  const [isSubprocessExit] = await Promise.race([
    Promise.allSettled([true, subprocess]),
    Promise.all([false, ...promises])
  ]);
  return !isSubprocessExit;
};

// ../../node_modules/execa/lib/convert/readable.js
import { Readable as Readable3 } from "node:stream";
import { callbackify as callbackify2 } from "node:util";

// ../../node_modules/execa/lib/convert/shared.js
import { finished as finished6 } from "node:stream/promises";
var safeWaitForSubprocessStdin = async (subprocessStdin) => {
  if (subprocessStdin === void 0) {
    return;
  }
  try {
    await waitForSubprocessStdin(subprocessStdin);
  } catch {
  }
};
var safeWaitForSubprocessStdout = async (subprocessStdout) => {
  if (subprocessStdout === void 0) {
    return;
  }
  try {
    await waitForSubprocessStdout(subprocessStdout);
  } catch {
  }
};
var waitForSubprocessStdin = async (subprocessStdin) => {
  await finished6(subprocessStdin, { cleanup: true, readable: false, writable: true });
};
var waitForSubprocessStdout = async (subprocessStdout) => {
  await finished6(subprocessStdout, { cleanup: true, readable: true, writable: false });
};
var waitForSubprocess = async (subprocess, error2) => {
  await subprocess;
  if (error2) {
    throw error2;
  }
};
var destroyOtherStream = (stream, isOpen, error2) => {
  if (error2 && !isStreamAbort(error2)) {
    stream.destroy(error2);
  } else if (isOpen) {
    stream.destroy();
  }
};

// ../../node_modules/execa/lib/convert/readable.js
var createReadable = ({ subprocess, concurrentStreams, encoding }, { from, binary: binaryOption = true, preserveNewlines = true } = {}) => {
  const binary = binaryOption || BINARY_ENCODINGS.has(encoding);
  const { subprocessStdout, waitReadableDestroy } = getSubprocessStdout(subprocess, from, concurrentStreams);
  const { readableEncoding, readableObjectMode, readableHighWaterMark } = getReadableOptions(subprocessStdout, binary);
  const { read, onStdoutDataDone } = getReadableMethods({
    subprocessStdout,
    subprocess,
    binary,
    encoding,
    preserveNewlines
  });
  const readable2 = new Readable3({
    read,
    destroy: callbackify2(onReadableDestroy.bind(void 0, { subprocessStdout, subprocess, waitReadableDestroy })),
    highWaterMark: readableHighWaterMark,
    objectMode: readableObjectMode,
    encoding: readableEncoding
  });
  onStdoutFinished({
    subprocessStdout,
    onStdoutDataDone,
    readable: readable2,
    subprocess
  });
  return readable2;
};
var getSubprocessStdout = (subprocess, from, concurrentStreams) => {
  const subprocessStdout = getFromStream(subprocess, from);
  const waitReadableDestroy = addConcurrentStream(concurrentStreams, subprocessStdout, "readableDestroy");
  return { subprocessStdout, waitReadableDestroy };
};
var getReadableOptions = ({ readableEncoding, readableObjectMode, readableHighWaterMark }, binary) => binary ? { readableEncoding, readableObjectMode, readableHighWaterMark } : { readableEncoding, readableObjectMode: true, readableHighWaterMark: DEFAULT_OBJECT_HIGH_WATER_MARK };
var getReadableMethods = ({ subprocessStdout, subprocess, binary, encoding, preserveNewlines }) => {
  const onStdoutDataDone = createDeferred();
  const onStdoutData = iterateOnSubprocessStream({
    subprocessStdout,
    subprocess,
    binary,
    shouldEncode: !binary,
    encoding,
    preserveNewlines
  });
  return {
    read() {
      onRead(this, onStdoutData, onStdoutDataDone);
    },
    onStdoutDataDone
  };
};
var onRead = async (readable2, onStdoutData, onStdoutDataDone) => {
  try {
    const { value, done } = await onStdoutData.next();
    if (done) {
      onStdoutDataDone.resolve();
    } else {
      readable2.push(value);
    }
  } catch {
  }
};
var onStdoutFinished = async ({ subprocessStdout, onStdoutDataDone, readable: readable2, subprocess, subprocessStdin }) => {
  try {
    await waitForSubprocessStdout(subprocessStdout);
    await subprocess;
    await safeWaitForSubprocessStdin(subprocessStdin);
    await onStdoutDataDone;
    if (readable2.readable) {
      readable2.push(null);
    }
  } catch (error2) {
    await safeWaitForSubprocessStdin(subprocessStdin);
    destroyOtherReadable(readable2, error2);
  }
};
var onReadableDestroy = async ({ subprocessStdout, subprocess, waitReadableDestroy }, error2) => {
  if (await waitForConcurrentStreams(waitReadableDestroy, subprocess)) {
    destroyOtherReadable(subprocessStdout, error2);
    await waitForSubprocess(subprocess, error2);
  }
};
var destroyOtherReadable = (stream, error2) => {
  destroyOtherStream(stream, stream.readable, error2);
};

// ../../node_modules/execa/lib/convert/writable.js
import { Writable as Writable3 } from "node:stream";
import { callbackify as callbackify3 } from "node:util";
var createWritable = ({ subprocess, concurrentStreams }, { to } = {}) => {
  const { subprocessStdin, waitWritableFinal, waitWritableDestroy } = getSubprocessStdin(subprocess, to, concurrentStreams);
  const writable2 = new Writable3({
    ...getWritableMethods(subprocessStdin, subprocess, waitWritableFinal),
    destroy: callbackify3(onWritableDestroy.bind(void 0, {
      subprocessStdin,
      subprocess,
      waitWritableFinal,
      waitWritableDestroy
    })),
    highWaterMark: subprocessStdin.writableHighWaterMark,
    objectMode: subprocessStdin.writableObjectMode
  });
  onStdinFinished(subprocessStdin, writable2);
  return writable2;
};
var getSubprocessStdin = (subprocess, to, concurrentStreams) => {
  const subprocessStdin = getToStream(subprocess, to);
  const waitWritableFinal = addConcurrentStream(concurrentStreams, subprocessStdin, "writableFinal");
  const waitWritableDestroy = addConcurrentStream(concurrentStreams, subprocessStdin, "writableDestroy");
  return { subprocessStdin, waitWritableFinal, waitWritableDestroy };
};
var getWritableMethods = (subprocessStdin, subprocess, waitWritableFinal) => ({
  write: onWrite.bind(void 0, subprocessStdin),
  final: callbackify3(onWritableFinal.bind(void 0, subprocessStdin, subprocess, waitWritableFinal))
});
var onWrite = (subprocessStdin, chunk, encoding, done) => {
  if (subprocessStdin.write(chunk, encoding)) {
    done();
  } else {
    subprocessStdin.once("drain", done);
  }
};
var onWritableFinal = async (subprocessStdin, subprocess, waitWritableFinal) => {
  if (await waitForConcurrentStreams(waitWritableFinal, subprocess)) {
    if (subprocessStdin.writable) {
      subprocessStdin.end();
    }
    await subprocess;
  }
};
var onStdinFinished = async (subprocessStdin, writable2, subprocessStdout) => {
  try {
    await waitForSubprocessStdin(subprocessStdin);
    if (writable2.writable) {
      writable2.end();
    }
  } catch (error2) {
    await safeWaitForSubprocessStdout(subprocessStdout);
    destroyOtherWritable(writable2, error2);
  }
};
var onWritableDestroy = async ({ subprocessStdin, subprocess, waitWritableFinal, waitWritableDestroy }, error2) => {
  await waitForConcurrentStreams(waitWritableFinal, subprocess);
  if (await waitForConcurrentStreams(waitWritableDestroy, subprocess)) {
    destroyOtherWritable(subprocessStdin, error2);
    await waitForSubprocess(subprocess, error2);
  }
};
var destroyOtherWritable = (stream, error2) => {
  destroyOtherStream(stream, stream.writable, error2);
};

// ../../node_modules/execa/lib/convert/duplex.js
import { Duplex as Duplex3 } from "node:stream";
import { callbackify as callbackify4 } from "node:util";
var createDuplex = ({ subprocess, concurrentStreams, encoding }, { from, to, binary: binaryOption = true, preserveNewlines = true } = {}) => {
  const binary = binaryOption || BINARY_ENCODINGS.has(encoding);
  const { subprocessStdout, waitReadableDestroy } = getSubprocessStdout(subprocess, from, concurrentStreams);
  const { subprocessStdin, waitWritableFinal, waitWritableDestroy } = getSubprocessStdin(subprocess, to, concurrentStreams);
  const { readableEncoding, readableObjectMode, readableHighWaterMark } = getReadableOptions(subprocessStdout, binary);
  const { read, onStdoutDataDone } = getReadableMethods({
    subprocessStdout,
    subprocess,
    binary,
    encoding,
    preserveNewlines
  });
  const duplex2 = new Duplex3({
    read,
    ...getWritableMethods(subprocessStdin, subprocess, waitWritableFinal),
    destroy: callbackify4(onDuplexDestroy.bind(void 0, {
      subprocessStdout,
      subprocessStdin,
      subprocess,
      waitReadableDestroy,
      waitWritableFinal,
      waitWritableDestroy
    })),
    readableHighWaterMark,
    writableHighWaterMark: subprocessStdin.writableHighWaterMark,
    readableObjectMode,
    writableObjectMode: subprocessStdin.writableObjectMode,
    encoding: readableEncoding
  });
  onStdoutFinished({
    subprocessStdout,
    onStdoutDataDone,
    readable: duplex2,
    subprocess,
    subprocessStdin
  });
  onStdinFinished(subprocessStdin, duplex2, subprocessStdout);
  return duplex2;
};
var onDuplexDestroy = async ({ subprocessStdout, subprocessStdin, subprocess, waitReadableDestroy, waitWritableFinal, waitWritableDestroy }, error2) => {
  await Promise.all([
    onReadableDestroy({ subprocessStdout, subprocess, waitReadableDestroy }, error2),
    onWritableDestroy({
      subprocessStdin,
      subprocess,
      waitWritableFinal,
      waitWritableDestroy
    }, error2)
  ]);
};

// ../../node_modules/execa/lib/convert/iterable.js
var createIterable = (subprocess, encoding, {
  from,
  binary: binaryOption = false,
  preserveNewlines = false
} = {}) => {
  const binary = binaryOption || BINARY_ENCODINGS.has(encoding);
  const subprocessStdout = getFromStream(subprocess, from);
  const onStdoutData = iterateOnSubprocessStream({
    subprocessStdout,
    subprocess,
    binary,
    shouldEncode: true,
    encoding,
    preserveNewlines
  });
  return iterateOnStdoutData(onStdoutData, subprocessStdout, subprocess);
};
var iterateOnStdoutData = async function* (onStdoutData, subprocessStdout, subprocess) {
  try {
    yield* onStdoutData;
  } finally {
    if (subprocessStdout.readable) {
      subprocessStdout.destroy();
    }
    await subprocess;
  }
};

// ../../node_modules/execa/lib/convert/add.js
var addConvertedStreams = (subprocess, { encoding }) => {
  const concurrentStreams = initializeConcurrentStreams();
  subprocess.readable = createReadable.bind(void 0, { subprocess, concurrentStreams, encoding });
  subprocess.writable = createWritable.bind(void 0, { subprocess, concurrentStreams });
  subprocess.duplex = createDuplex.bind(void 0, { subprocess, concurrentStreams, encoding });
  subprocess.iterable = createIterable.bind(void 0, subprocess, encoding);
  subprocess[Symbol.asyncIterator] = createIterable.bind(void 0, subprocess, encoding, {});
};

// ../../node_modules/execa/lib/methods/promise.js
var mergePromise = (subprocess, promise) => {
  for (const [property, descriptor] of descriptors) {
    const value = descriptor.value.bind(promise);
    Reflect.defineProperty(subprocess, property, { ...descriptor, value });
  }
};
var nativePromisePrototype = (async () => {
})().constructor.prototype;
var descriptors = ["then", "catch", "finally"].map((property) => [
  property,
  Reflect.getOwnPropertyDescriptor(nativePromisePrototype, property)
]);

// ../../node_modules/execa/lib/methods/main-async.js
var execaCoreAsync = (rawFile, rawArguments, rawOptions, createNested) => {
  const { file, commandArguments, command, escapedCommand, startTime, verboseInfo, options, fileDescriptors } = handleAsyncArguments(rawFile, rawArguments, rawOptions);
  const { subprocess, promise } = spawnSubprocessAsync({
    file,
    commandArguments,
    options,
    startTime,
    verboseInfo,
    command,
    escapedCommand,
    fileDescriptors
  });
  subprocess.pipe = pipeToSubprocess.bind(void 0, {
    source: subprocess,
    sourcePromise: promise,
    boundOptions: {},
    createNested
  });
  mergePromise(subprocess, promise);
  SUBPROCESS_OPTIONS.set(subprocess, { options, fileDescriptors });
  return subprocess;
};
var handleAsyncArguments = (rawFile, rawArguments, rawOptions) => {
  const { command, escapedCommand, startTime, verboseInfo } = handleCommand(rawFile, rawArguments, rawOptions);
  const { file, commandArguments, options: normalizedOptions } = normalizeOptions(rawFile, rawArguments, rawOptions);
  const options = handleAsyncOptions(normalizedOptions);
  const fileDescriptors = handleStdioAsync(options, verboseInfo);
  return {
    file,
    commandArguments,
    command,
    escapedCommand,
    startTime,
    verboseInfo,
    options,
    fileDescriptors
  };
};
var handleAsyncOptions = ({ timeout, signal, ...options }) => {
  if (signal !== void 0) {
    throw new TypeError('The "signal" option has been renamed to "cancelSignal" instead.');
  }
  return { ...options, timeoutDuration: timeout };
};
var spawnSubprocessAsync = ({ file, commandArguments, options, startTime, verboseInfo, command, escapedCommand, fileDescriptors }) => {
  let subprocess;
  try {
    subprocess = spawn(...concatenateShell(file, commandArguments, options));
  } catch (error2) {
    return handleEarlyError({
      error: error2,
      command,
      escapedCommand,
      fileDescriptors,
      options,
      startTime,
      verboseInfo
    });
  }
  const controller = new AbortController();
  setMaxListeners(Number.POSITIVE_INFINITY, controller.signal);
  const originalStreams = [...subprocess.stdio];
  pipeOutputAsync(subprocess, fileDescriptors, controller);
  cleanupOnExit(subprocess, options, controller);
  const context = {};
  const onInternalError = createDeferred();
  subprocess.kill = subprocessKill.bind(void 0, {
    kill: subprocess.kill.bind(subprocess),
    options,
    onInternalError,
    context,
    controller
  });
  subprocess.all = makeAllStream(subprocess, options);
  addConvertedStreams(subprocess, options);
  addIpcMethods(subprocess, options);
  const promise = handlePromise({
    subprocess,
    options,
    startTime,
    verboseInfo,
    fileDescriptors,
    originalStreams,
    command,
    escapedCommand,
    context,
    onInternalError,
    controller
  });
  return { subprocess, promise };
};
var handlePromise = async ({ subprocess, options, startTime, verboseInfo, fileDescriptors, originalStreams, command, escapedCommand, context, onInternalError, controller }) => {
  const [
    errorInfo,
    [exitCode, signal],
    stdioResults,
    allResult,
    ipcOutput
  ] = await waitForSubprocessResult({
    subprocess,
    options,
    context,
    verboseInfo,
    fileDescriptors,
    originalStreams,
    onInternalError,
    controller
  });
  controller.abort();
  onInternalError.resolve();
  const stdio = stdioResults.map((stdioResult, fdNumber) => stripNewline(stdioResult, options, fdNumber));
  const all = stripNewline(allResult, options, "all");
  const result = getAsyncResult({
    errorInfo,
    exitCode,
    signal,
    stdio,
    all,
    ipcOutput,
    context,
    options,
    command,
    escapedCommand,
    startTime
  });
  return handleResult(result, verboseInfo, options);
};
var getAsyncResult = ({ errorInfo, exitCode, signal, stdio, all, ipcOutput, context, options, command, escapedCommand, startTime }) => "error" in errorInfo ? makeError({
  error: errorInfo.error,
  command,
  escapedCommand,
  timedOut: context.terminationReason === "timeout",
  isCanceled: context.terminationReason === "cancel" || context.terminationReason === "gracefulCancel",
  isGracefullyCanceled: context.terminationReason === "gracefulCancel",
  isMaxBuffer: errorInfo.error instanceof MaxBufferError,
  isForcefullyTerminated: context.isForcefullyTerminated,
  exitCode,
  signal,
  stdio,
  all,
  ipcOutput,
  options,
  startTime,
  isSync: false
}) : makeSuccessResult({
  command,
  escapedCommand,
  stdio,
  all,
  ipcOutput,
  options,
  startTime
});

// ../../node_modules/execa/lib/methods/bind.js
var mergeOptions = (boundOptions, options) => {
  const newOptions = Object.fromEntries(
    Object.entries(options).map(([optionName, optionValue]) => [
      optionName,
      mergeOption(optionName, boundOptions[optionName], optionValue)
    ])
  );
  return { ...boundOptions, ...newOptions };
};
var mergeOption = (optionName, boundOptionValue, optionValue) => {
  if (DEEP_OPTIONS.has(optionName) && isPlainObject(boundOptionValue) && isPlainObject(optionValue)) {
    return { ...boundOptionValue, ...optionValue };
  }
  return optionValue;
};
var DEEP_OPTIONS = /* @__PURE__ */ new Set(["env", ...FD_SPECIFIC_OPTIONS]);

// ../../node_modules/execa/lib/methods/create.js
var createExeca = (mapArguments, boundOptions, deepOptions, setBoundExeca) => {
  const createNested = (mapArguments2, boundOptions2, setBoundExeca2) => createExeca(mapArguments2, boundOptions2, deepOptions, setBoundExeca2);
  const boundExeca = (...execaArguments) => callBoundExeca({
    mapArguments,
    deepOptions,
    boundOptions,
    setBoundExeca,
    createNested
  }, ...execaArguments);
  if (setBoundExeca !== void 0) {
    setBoundExeca(boundExeca, createNested, boundOptions);
  }
  return boundExeca;
};
var callBoundExeca = ({ mapArguments, deepOptions = {}, boundOptions = {}, setBoundExeca, createNested }, firstArgument, ...nextArguments) => {
  if (isPlainObject(firstArgument)) {
    return createNested(mapArguments, mergeOptions(boundOptions, firstArgument), setBoundExeca);
  }
  const { file, commandArguments, options, isSync } = parseArguments({
    mapArguments,
    firstArgument,
    nextArguments,
    deepOptions,
    boundOptions
  });
  return isSync ? execaCoreSync(file, commandArguments, options) : execaCoreAsync(file, commandArguments, options, createNested);
};
var parseArguments = ({ mapArguments, firstArgument, nextArguments, deepOptions, boundOptions }) => {
  const callArguments = isTemplateString(firstArgument) ? parseTemplates(firstArgument, nextArguments) : [firstArgument, ...nextArguments];
  const [initialFile, initialArguments, initialOptions] = normalizeParameters(...callArguments);
  const mergedOptions = mergeOptions(mergeOptions(deepOptions, boundOptions), initialOptions);
  const {
    file = initialFile,
    commandArguments = initialArguments,
    options = mergedOptions,
    isSync = false
  } = mapArguments({ file: initialFile, commandArguments: initialArguments, options: mergedOptions });
  return {
    file,
    commandArguments,
    options,
    isSync
  };
};

// ../../node_modules/execa/lib/methods/command.js
var mapCommandAsync = ({ file, commandArguments }) => parseCommand(file, commandArguments);
var mapCommandSync = ({ file, commandArguments }) => ({ ...parseCommand(file, commandArguments), isSync: true });
var parseCommand = (command, unusedArguments) => {
  if (unusedArguments.length > 0) {
    throw new TypeError(`The command and its arguments must be passed as a single string: ${command} ${unusedArguments}.`);
  }
  const [file, ...commandArguments] = parseCommandString(command);
  return { file, commandArguments };
};
var parseCommandString = (command) => {
  if (typeof command !== "string") {
    throw new TypeError(`The command must be a string: ${String(command)}.`);
  }
  const trimmedCommand = command.trim();
  if (trimmedCommand === "") {
    return [];
  }
  const tokens = [];
  for (const token of trimmedCommand.split(SPACES_REGEXP)) {
    const previousToken = tokens.at(-1);
    if (previousToken && previousToken.endsWith("\\")) {
      tokens[tokens.length - 1] = `${previousToken.slice(0, -1)} ${token}`;
    } else {
      tokens.push(token);
    }
  }
  return tokens;
};
var SPACES_REGEXP = / +/g;

// ../../node_modules/execa/lib/methods/script.js
var setScriptSync = (boundExeca, createNested, boundOptions) => {
  boundExeca.sync = createNested(mapScriptSync, boundOptions);
  boundExeca.s = boundExeca.sync;
};
var mapScriptAsync = ({ options }) => getScriptOptions(options);
var mapScriptSync = ({ options }) => ({ ...getScriptOptions(options), isSync: true });
var getScriptOptions = (options) => ({ options: { ...getScriptStdinOption(options), ...options } });
var getScriptStdinOption = ({ input, inputFile, stdio }) => input === void 0 && inputFile === void 0 && stdio === void 0 ? { stdin: "inherit" } : {};
var deepScriptOptions = { preferLocal: true };

// ../../node_modules/execa/index.js
var execa = createExeca(() => ({}));
var execaSync = createExeca(() => ({ isSync: true }));
var execaCommand = createExeca(mapCommandAsync);
var execaCommandSync = createExeca(mapCommandSync);
var execaNode = createExeca(mapNode);
var $ = createExeca(mapScriptAsync, {}, deepScriptOptions, setScriptSync);
var {
  sendMessage: sendMessage2,
  getOneMessage: getOneMessage2,
  getEachMessage: getEachMessage2,
  getCancelSignal: getCancelSignal2
} = getIpcExport();

// ../../packages/executor/lib/interpreter.js
var InterpreterError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "InterpreterError";
  }
};
var PROBE = "import sys; print(sys.executable); print('%d.%d.%d' % sys.version_info[:3])";
function isExecutable(path12) {
  try {
    accessSync(path12, constants4.X_OK);
    return true;
  } catch {
    return false;
  }
}
function listDir(dir) {
  try {
    return readdirSync2(dir);
  } catch {
    return [];
  }
}
function byVersionDesc(a2, b) {
  const pa = a2.split(/[^\d]+/).map(Number);
  const pb = b.split(/[^\d]+/).map(Number);
  for (let i2 = 0; i2 < Math.max(pa.length, pb.length); i2++) {
    const d = (pb[i2] ?? -1) - (pa[i2] ?? -1);
    if (d !== 0)
      return d;
  }
  return 0;
}
function versionMatches(asked, full) {
  const a2 = asked.split(".");
  const f = full.split(".");
  return a2.every((part, i2) => f[i2] === part);
}
function probeKey(path12, env, pyenvRoot, cwd) {
  try {
    const st = statSync3(path12);
    const parts = [path12, st.mtimeMs, st.size];
    if (dirname2(path12).endsWith("/shims")) {
      const read = (f) => {
        try {
          return readFileSync5(f, "utf8");
        } catch {
          return void 0;
        }
      };
      let local;
      for (let dir = cwd; local === void 0; dir = dirname2(dir)) {
        local = read(join3(dir, ".python-version"));
        if (dirname2(dir) === dir)
          break;
      }
      parts.push(env.PYENV_VERSION, local, read(join3(pyenvRoot, "version")));
    }
    return JSON.stringify(parts);
  } catch {
    return void 0;
  }
}
function readCache(file) {
  try {
    return JSON.parse(readFileSync5(file, "utf8"));
  } catch {
    return {};
  }
}
async function findInterpreter(options) {
  const { version, env } = options;
  const pathDirs = (env.PATH ?? "").split(delimiter).filter(Boolean);
  const onPath2 = (name) => pathDirs.map((d) => join3(d, name)).find((p) => isExecutable(p));
  const pyenvRoot = env.PYENV_ROOT ?? join3(env.HOME ?? homedir(), ".pyenv");
  const toolCache = env.RUNNER_TOOL_CACHE;
  const candidates = [];
  if (version === void 0) {
    candidates.push({ path: async () => onPath2("python3"), source: "PATH" });
  } else {
    const [major, minor] = version.split(".");
    const name = minor === void 0 ? `python${major}` : `python${major}.${minor}`;
    candidates.push({ path: async () => onPath2(name), source: "PATH" });
    const fromVersionsDir = (dir, bin) => async () => listDir(dir).filter((v) => versionMatches(version, v)).sort(byVersionDesc).map((v) => bin(v)).find((p) => isExecutable(p));
    candidates.push({
      path: fromVersionsDir(join3(pyenvRoot, "versions"), (v) => join3(pyenvRoot, "versions", v, "bin", "python3")),
      source: "pyenv"
    });
    if (toolCache) {
      candidates.push({
        path: fromVersionsDir(join3(toolCache, "Python"), (v) => join3(toolCache, "Python", v, "x64", "bin", "python3")),
        source: "tool cache"
      });
    }
    const uv = onPath2("uv");
    if (uv) {
      candidates.push({
        path: async () => {
          const r = await execa(uv, ["python", "find", version], {
            env,
            reject: false,
            timeout: 15e3
          });
          return r.exitCode === 0 ? String(r.stdout).trim() || void 0 : void 0;
        },
        source: "uv"
      });
    }
  }
  const cacheFile = options.cacheDir ? join3(options.cacheDir, "interpreters.json") : void 0;
  const cache = cacheFile ? readCache(cacheFile) : {};
  const probe = async (path12) => {
    const key = cacheFile ? probeKey(path12, env, pyenvRoot, options.cwd ?? process.cwd()) : void 0;
    const hit = key ? cache[key] : void 0;
    if (hit) {
      try {
        if (statSync3(hit.executable).mtimeMs === hit.mtimeMs)
          return hit;
      } catch {
      }
    }
    const r = await execa(path12, ["-c", PROBE], { env, reject: false, timeout: 15e3 });
    if (r.exitCode !== 0)
      return void 0;
    const [executable, full] = String(r.stdout).trim().split("\n");
    if (!executable || !full)
      return void 0;
    if (cacheFile && key) {
      try {
        cache[key] = { executable, version: full, mtimeMs: statSync3(executable).mtimeMs };
        mkdirSync(dirname2(cacheFile), { recursive: true });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync2(tmp, JSON.stringify(cache));
        renameSync(tmp, cacheFile);
      } catch {
      }
    }
    return { executable, version: full };
  };
  for (const candidate of candidates) {
    const path12 = await candidate.path();
    if (!path12)
      continue;
    const found2 = await probe(path12);
    if (!found2)
      continue;
    if (version !== void 0 && !versionMatches(version, found2.version))
      continue;
    return { path: found2.executable, version: found2.version, source: candidate.source };
  }
  if (version === void 0) {
    throw new InterpreterError("python3 is not on PATH; install Python 3, or set version: in the workflow");
  }
  const found = /* @__PURE__ */ new Set();
  for (const dir of pathDirs) {
    for (const n2 of listDir(dir)) {
      const m = /^python(3\.\d+)$/.exec(n2);
      if (m?.[1])
        found.add(m[1]);
    }
  }
  for (const v of listDir(join3(pyenvRoot, "versions")))
    if (/^3\.\d+/.test(v))
      found.add(v);
  if (toolCache)
    for (const v of listDir(join3(toolCache, "Python")))
      found.add(v);
  const list = [...found].sort(byVersionDesc);
  throw new InterpreterError(`version: Python ${version} was not found on PATH, in pyenv${toolCache ? ", in the runner tool cache" : ""} or through uv; found ${list.length > 0 ? list.join(", ") : "none"}. Install it (pyenv install ${version}, or actions/setup-python) or change version:`);
}

// ../../packages/executor/lib/job-env.js
var JOB_ENV_DENIED_PREFIXES = ["ACTIONS_", "INPUT_"];
var JOB_ENV_DENIED_NAMES = [
  "GITHUB_TOKEN",
  "GH_TOKEN",
  "GITHUB_ENV",
  "GITHUB_PATH",
  "GITHUB_OUTPUT",
  "GITHUB_STATE"
];
var MIN_SECRET_SUBSTRING = 8;
function isDeniedJobVariable(name) {
  return JOB_ENV_DENIED_NAMES.includes(name) || JOB_ENV_DENIED_PREFIXES.some((p) => name.startsWith(p));
}
function jobEnvironment(options) {
  const secrets = (options.secrets ?? []).filter((s) => s !== "");
  const holdsSecret = (value) => secrets.some((s) => value === s || s.length >= MIN_SECRET_SUBSTRING && value.includes(s));
  const env = {};
  for (const [name, value] of Object.entries(options.parent)) {
    if (value === void 0 || isDeniedJobVariable(name) || holdsSecret(value))
      continue;
    env[name] = value;
  }
  for (const [name, value] of Object.entries(options.job ?? {})) {
    if (holdsSecret(value)) {
      delete env[name];
      continue;
    }
    env[name] = value;
  }
  return env;
}

// ../../packages/executor/lib/process.js
import { constants as constants5 } from "node:os";
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
  }
}
async function runSupervised(options) {
  const grace = options.graceMs ?? 1e4;
  const child = execa(options.file, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    detached: true,
    all: true,
    buffer: false,
    reject: false,
    stdin: "ignore"
  });
  let stopped = false;
  let killTimer;
  let killed = false;
  const onAbort = () => {
    if (child.pid === void 0 || stopped)
      return;
    stopped = true;
    const reason = options.stop?.reason;
    const signal = typeof reason === "string" && reason.startsWith("SIG") ? reason : "SIGTERM";
    killGroup(child.pid, signal);
    killTimer = setTimeout(() => {
      if (child.pid === void 0)
        return;
      killed = true;
      killGroup(child.pid, "SIGKILL");
    }, grace);
  };
  if (child.pid !== void 0)
    options.onStart?.(child.pid);
  if (options.stop?.aborted)
    onAbort();
  options.stop?.addEventListener("abort", onAbort, { once: true });
  child.all?.setEncoding("utf8");
  let rest = "";
  child.all?.on("data", (chunk) => {
    const lines = (rest + chunk).split(/\r?\n/);
    rest = lines.pop() ?? "";
    for (const l of lines)
      options.onLine(l);
  });
  const result = await child;
  if (rest)
    options.onLine(rest);
  options.stop?.removeEventListener("abort", onAbort);
  if (killTimer)
    clearTimeout(killTimer);
  if (result.failed && result.exitCode === void 0 && result.signal === void 0) {
    options.onLine(`${options.file}: ${result.shortMessage ?? "cannot start"}`);
    return { exitCode: 127, stopped };
  }
  return {
    ...result.exitCode !== void 0 ? { exitCode: result.exitCode } : {},
    ...result.signal !== void 0 ? { signal: result.signal } : {},
    stopped,
    ...killed ? { killedAfterMs: grace } : {}
  };
}
function signalName(n2) {
  return Object.entries(constants5.signals).find(([, v]) => v === n2)?.[0];
}
function explainExit(end) {
  const stopped = end.stopped ? " (stopped)" : "";
  if (end.killedAfterMs !== void 0 && (end.signal === "SIGKILL" || end.exitCode === 137)) {
    return `killed by SIGKILL: dstack sent it after the ${end.killedAfterMs / 1e3} s grace period, the job had not exited after the stop request${stopped}`;
  }
  const oom = "likely out of memory (the kernel's OOM killer), or a kill after the stop grace period";
  if (end.signal) {
    return `killed by ${end.signal}${end.signal === "SIGKILL" ? `: ${oom}` : ""}${stopped}`;
  }
  const code = end.exitCode ?? 1;
  if (code > 128 && code < 160) {
    const name = signalName(code - 128);
    if (name) {
      return `exit ${code} (128 + ${name})${name === "SIGKILL" ? `: ${oom}` : ""}${stopped}`;
    }
  }
  if (code === 127)
    return `exit 127: the program was not found or could not start${stopped}`;
  return `exited with ${code}${stopped}`;
}

// ../../packages/executor/lib/run-job.js
import { createWriteStream as createWriteStream2, existsSync as existsSync5, readFileSync as readFileSync9 } from "node:fs";
import { rm as rm5 } from "node:fs/promises";
import { delimiter as delimiter2, dirname as dirname3, join as join11, resolve as resolve2 } from "node:path";

// ../../python/index.js
import { fileURLToPath as fileURLToPath3 } from "node:url";
var PYTHON_PATH = fileURLToPath3(new URL(".", import.meta.url));

// ../../packages/artifacts/lib/bridge.js
import { randomBytes } from "node:crypto";
import * as fsp2 from "node:fs/promises";
import net from "node:net";
import os2 from "node:os";
import path7 from "node:path";
var ARTIFACTS_SOCKET_ENV = "DSTACK_ARTIFACTS_SOCKET";
var MAX_SOCKET_PATH_BYTES = 103;
var MAX_REQUEST_BYTES = 1 << 20;
function optionalString(req, key) {
  const v = req[key];
  if (v === void 0 || v === null)
    return void 0;
  if (typeof v !== "string") {
    throw new StoreError("invalid", `${key}: expected a string, got ${JSON.stringify(v)}`);
  }
  return v;
}
function defaultArtifactPath(localPath, cwd) {
  const abs = path7.resolve(cwd, localPath);
  const rel = path7.relative(cwd, abs);
  const inside = rel !== "" && rel !== ".." && !rel.startsWith(`..${path7.sep}`);
  const candidate = inside && !path7.isAbsolute(rel) ? rel.split(path7.sep).join("/") : "";
  if (candidate !== "")
    return candidate;
  if (rel === "") {
    throw new StoreError("invalid", `local_path ${JSON.stringify(localPath)} is the whole working folder; give artifact_path too, e.g. artifact_path="snapshot"`);
  }
  return path7.basename(abs);
}
async function handleUpload(context, req, cwd) {
  const { store, remote, runName, nextTagging } = context;
  const localPath = optionalString(req, "local_path");
  if (localPath === void 0 || localPath === "") {
    throw new StoreError("invalid", "local_path: give the folder or file to upload");
  }
  const given = optionalString(req, "artifact_path");
  const artifactPath = checkArtifactPath(given ?? defaultArtifactPath(localPath, cwd), {
    label: "artifact_path"
  });
  const tag = optionalString(req, "tag");
  if (tag !== void 0 && !isValidName(tag)) {
    throw new StoreError("invalid", `tag ${JSON.stringify(tag)} is not a valid tag name; use letters, digits, ".", "_" and "-", starting with a letter or digit`);
  }
  const abs = path7.resolve(cwd, localPath);
  if (await fsp2.lstat(abs).catch(() => void 0) === void 0) {
    throw new StoreError("not-found", `local_path ${JSON.stringify(localPath)} does not exist (looked for ${abs})`);
  }
  if (remote !== void 0) {
    const target = tag === void 0 ? runName : `${runName}-${tag}-${nextTagging()}`;
    const r = await remote.upload({
      runName: target,
      localPath: abs,
      artifactPath,
      ...tag !== void 0 ? { tag } : {}
    });
    if (tag !== void 0)
      context.onTag?.({ tag, run: r.runName });
    return {
      run: r.runName,
      ...tag !== void 0 ? { tag } : {},
      artifact_path: r.artifactPath,
      files: r.files,
      bytes: r.bytes
    };
  }
  if (tag === void 0) {
    const entry2 = await store.addArtifact(runName, { localPath: abs, artifactPath });
    return { run: runName, artifact_path: entry2.path, files: entry2.files, bytes: entry2.bytes };
  }
  const parent = await store.getRun(runName);
  const run = await store.createRun({
    workflow: null,
    job: null,
    repoDir: parent.repoDir,
    parentRun: runName,
    // The job's supervisor creates it, so a later command can tell when it is gone.
    ...parent.supervisor !== void 0 ? { supervisor: parent.supervisor } : {}
  });
  const startedAt = (/* @__PURE__ */ new Date()).toISOString();
  let entry;
  try {
    await store.updateRun(run.runName, { status: "uploading", startedAt });
    entry = await store.addArtifact(run.runName, { localPath: abs, artifactPath });
  } catch (e) {
    await store.updateRun(run.runName, {
      status: "failed",
      finishedAt: (/* @__PURE__ */ new Date()).toISOString(),
      message: e instanceof Error ? e.message : String(e)
    }).catch(() => void 0);
    throw e;
  }
  await store.updateRun(run.runName, { status: "done", finishedAt: (/* @__PURE__ */ new Date()).toISOString() });
  const { previous } = await store.setTag(tag, run.runName);
  context.onTag?.({ tag, run: run.runName, ...previous !== void 0 ? { previous } : {} });
  return {
    run: run.runName,
    tag,
    ...previous !== void 0 ? { previous } : {},
    artifact_path: entry.path,
    files: entry.files,
    bytes: entry.bytes
  };
}
async function handleDownload(context, req, cwd) {
  const source = context.remote ?? context.store;
  const run = optionalString(req, "run");
  const tag = optionalString(req, "tag");
  if (run === void 0 === (tag === void 0)) {
    throw new StoreError("invalid", run === void 0 ? "give run= or tag= to say whose artifacts to download" : "give run= or tag=, not both");
  }
  const artifactPath = checkArtifactPath(optionalString(req, "artifact_path") ?? "", {
    label: "artifact_path",
    allowAll: true
  });
  const localPath = path7.resolve(cwd, optionalString(req, "local_path") ?? ".");
  const r = await source.downloadArtifacts(run !== void 0 ? { run } : { tag }, {
    artifactPath,
    localPath
  });
  return { run: r.runName, files: r.files, bytes: r.bytes, local_path: r.localPath };
}
async function handle(context, line) {
  try {
    let req;
    try {
      req = JSON.parse(line);
    } catch {
      throw new StoreError("invalid", "the request is not JSON");
    }
    if (typeof req !== "object" || req === null || Array.isArray(req)) {
      throw new StoreError("invalid", "the request is not a JSON object");
    }
    const request = req;
    const cwd = optionalString(request, "cwd");
    if (cwd === void 0 || !path7.isAbsolute(cwd)) {
      throw new StoreError("invalid", "cwd: expected the job's working folder, an absolute path");
    }
    switch (request.op) {
      case "upload":
        return { ok: true, ...await handleUpload(context, request, cwd) };
      case "download":
        return { ok: true, ...await handleDownload(context, request, cwd) };
      default:
        throw new StoreError("invalid", `op: ${JSON.stringify(request.op)} is not an operation; use "upload" or "download"`);
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: message.replaceAll("\n", " ") };
  }
}
async function startArtifactsBridge(options) {
  let taggings = 0;
  const context = {
    store: options.store,
    remote: options.remote,
    runName: options.runName,
    nextTagging: () => ++taggings,
    onTag: options.onTag
  };
  const base = options.socketDir ?? os2.tmpdir();
  const dir = await fsp2.mkdtemp(path7.join(base, "dstack-"));
  const socketPath = path7.join(dir, `${randomBytes(3).toString("hex")}.sock`);
  try {
    await fsp2.chmod(dir, 448);
    const length = Buffer.byteLength(socketPath);
    if (length > MAX_SOCKET_PATH_BYTES) {
      throw new Error(`the artifacts socket path ${socketPath} is ${length} bytes, over the ${MAX_SOCKET_PATH_BYTES} a Unix socket allows; give a shorter socketDir (e.g. /tmp)`);
    }
  } catch (e) {
    await fsp2.rm(dir, { recursive: true, force: true });
    throw e;
  }
  const sockets = /* @__PURE__ */ new Set();
  const inflight = /* @__PURE__ */ new Map();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => void 0);
    socket.setEncoding("utf8");
    let buffer = "";
    let started = false;
    const answer = (line) => {
      started = true;
      const done = handle(context, line).then((reply) => {
        if (!socket.destroyed)
          socket.end(`${JSON.stringify(reply)}
`);
        inflight.delete(socket);
      });
      inflight.set(socket, done);
    };
    socket.on("data", (chunk) => {
      if (started)
        return;
      buffer += chunk;
      const nl = buffer.indexOf("\n");
      if (nl >= 0) {
        answer(buffer.slice(0, nl));
      } else if (Buffer.byteLength(buffer) > MAX_REQUEST_BYTES) {
        started = true;
        socket.end(`${JSON.stringify({ ok: false, error: "the request is too long" })}
`);
      }
    });
    socket.on("end", () => {
      if (!started && buffer.trim() !== "")
        answer(buffer);
      else if (!started)
        socket.end();
    });
  });
  server.on("error", () => void 0);
  try {
    await new Promise((resolve3, reject) => {
      server.once("error", reject);
      server.listen(socketPath, () => {
        server.off("error", reject);
        resolve3();
      });
    });
  } catch (e) {
    await fsp2.rm(dir, { recursive: true, force: true });
    throw e;
  }
  let closing;
  const close = () => {
    closing ??= (async () => {
      const closed = new Promise((resolve3) => server.close(() => resolve3()));
      for (const s of sockets)
        if (!inflight.has(s))
          s.destroySoon();
      await Promise.all(inflight.values());
      for (const s of sockets)
        s.destroySoon();
      await closed;
      await fsp2.rm(dir, { recursive: true, force: true });
    })();
    return closing;
  };
  return { socketPath, env: { [ARTIFACTS_SOCKET_ENV]: socketPath }, close };
}

// ../../packages/artifacts/lib/local-store.js
import { constants as constants7 } from "node:fs";
import * as fsp4 from "node:fs/promises";
import os3 from "node:os";
import path9 from "node:path";

// ../../packages/artifacts/lib/tree.js
import { randomBytes as randomBytes2 } from "node:crypto";
import { constants as constants6 } from "node:fs";
import * as fsp3 from "node:fs/promises";
import path8 from "node:path";
var COPY_CONCURRENCY = 16;
function isInside(root, p) {
  const rel = path8.relative(root, p);
  return rel === "" || rel !== ".." && !rel.startsWith(`..${path8.sep}`) && !path8.isAbsolute(rel);
}
function tempName(base, kind) {
  return `.${base}.dstack-${kind}-${randomBytes2(6).toString("hex")}`;
}
async function linkTarget(root, linkAbs, label) {
  const text = await fsp3.readlink(linkAbs);
  const dir = path8.dirname(linkAbs);
  const lexical = path8.resolve(dir, text);
  if (isInside(root, lexical))
    return path8.relative(dir, lexical) || ".";
  const real = await fsp3.realpath(lexical).catch(() => void 0);
  if (real !== void 0 && isInside(root, real))
    return path8.relative(dir, real) || ".";
  const rel = path8.relative(root, linkAbs).split(path8.sep).join("/");
  return { refused: { name: `${label}/${rel}`, text } };
}
async function scanTree(root, label) {
  try {
    const st = await fsp3.lstat(root);
    if (st.isFile())
      return [{ rel: "", kind: "file", bytes: st.size }];
    if (!st.isDirectory()) {
      throw new StoreError("invalid", `${label}: neither a folder nor a regular file`);
    }
    const out = [{ rel: "", kind: "dir", bytes: 0 }];
    const refused = [];
    const walk = async (abs, rel) => {
      const entries = await fsp3.readdir(abs, { withFileTypes: true });
      entries.sort((a2, b) => a2.name < b.name ? -1 : a2.name > b.name ? 1 : 0);
      const nodes = await Promise.all(entries.map(async (d) => {
        const childAbs = path8.join(abs, d.name);
        const childRel = rel === "" ? d.name : `${rel}/${d.name}`;
        if (d.isDirectory())
          return { rel: childRel, kind: "dir", bytes: 0 };
        if (d.isFile()) {
          return { rel: childRel, kind: "file", bytes: (await fsp3.lstat(childAbs)).size };
        }
        if (d.isSymbolicLink()) {
          const target = await linkTarget(root, childAbs, label);
          if (typeof target !== "string") {
            refused.push(target.refused);
            return void 0;
          }
          return { rel: childRel, kind: "link", bytes: 0, target };
        }
        return void 0;
      }));
      for (const node of nodes) {
        if (node === void 0)
          continue;
        out.push(node);
        if (node.kind === "dir")
          await walk(path8.join(root, node.rel), node.rel);
      }
    };
    await walk(root, "");
    refused.sort((a2, b) => a2.name < b.name ? -1 : a2.name > b.name ? 1 : 0);
    const fix = "only links that stay inside an artifact folder are kept (replace the link with a copy, or save what it points at as an artifact of its own)";
    const [first] = refused;
    if (refused.length === 1 && first) {
      throw new StoreError("invalid", `${first.name}: a symbolic link to ${JSON.stringify(first.text)}, outside ${JSON.stringify(label)}; ${fix}`);
    }
    if (refused.length > 1) {
      throw new StoreError("invalid", `${label}: ${refused.length} symbolic links lead outside ${JSON.stringify(label)}: ${refused.map((r) => `${r.name} -> ${r.text}`).join(", ")}; ${fix}`);
    }
    return out;
  } catch (e) {
    throw ioError(`cannot read ${label}`, e);
  }
}
async function scanArtifact(root, label, repo) {
  const refused = [];
  try {
    const st = await fsp3.lstat(root);
    if (st.isFile())
      return { nodes: [{ rel: "", kind: "file", bytes: st.size }], refused };
    if (!st.isDirectory()) {
      throw new StoreError("invalid", `${label}: neither a folder nor a regular file`);
    }
    const out = [{ rel: "", kind: "dir", bytes: 0 }];
    const named = (rel) => rel === "" ? label : `${label}/${rel}`;
    const walk = async (abs, rel, followed, chain) => {
      const entries = await fsp3.readdir(abs, { withFileTypes: true });
      entries.sort((a2, b) => a2.name < b.name ? -1 : a2.name > b.name ? 1 : 0);
      for (const d of entries) {
        const childAbs = path8.join(abs, d.name);
        const childRel = rel === "" ? d.name : `${rel}/${d.name}`;
        const from = followed ? { from: childAbs } : {};
        if (d.isDirectory()) {
          out.push({ rel: childRel, kind: "dir", bytes: 0, ...from });
          await walk(childAbs, childRel, followed, chain);
        } else if (d.isFile()) {
          out.push({
            rel: childRel,
            kind: "file",
            bytes: (await fsp3.lstat(childAbs)).size,
            ...from
          });
        } else if (d.isSymbolicLink()) {
          const text = await fsp3.readlink(childAbs);
          const lexical = path8.resolve(abs, text);
          const real = await fsp3.realpath(lexical).catch(() => void 0);
          if (!followed && (isInside(root, lexical) || real !== void 0 && isInside(root, real))) {
            const inside = isInside(root, lexical) ? lexical : real;
            out.push({
              rel: childRel,
              kind: "link",
              bytes: 0,
              target: path8.relative(abs, inside) || "."
            });
            continue;
          }
          if (real === void 0 || !isInside(repo, real)) {
            refused.push(`${named(childRel)} -> ${text}${real === void 0 ? " (points nowhere)" : ""}`);
            continue;
          }
          const target = await fsp3.stat(real);
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
    await walk(root, "", false, /* @__PURE__ */ new Set([root]));
    return { nodes: out, refused };
  } catch (e) {
    throw ioError(`cannot read ${label}`, e);
  }
}
function treeStats(nodes) {
  let files = 0;
  let bytes = 0;
  for (const n2 of nodes) {
    if (n2.kind === "dir")
      continue;
    files++;
    bytes += n2.bytes;
  }
  return { files, bytes };
}
async function copyTree(srcRoot, nodes, dest) {
  const at = (base, rel) => rel === "" ? base : path8.join(base, rel);
  for (const n2 of nodes)
    if (n2.kind === "dir")
      await fsp3.mkdir(at(dest, n2.rel));
  const files = nodes.filter((n2) => n2.kind === "file");
  await settleLimited(files, COPY_CONCURRENCY, (n2) => fsp3.copyFile(n2.from ?? at(srcRoot, n2.rel), at(dest, n2.rel), constants6.COPYFILE_FICLONE));
  for (const n2 of nodes) {
    if (n2.kind === "link")
      await fsp3.symlink(n2.target ?? ".", at(dest, n2.rel));
  }
}
async function copyFollowing(src, dest, within, label, chain = /* @__PURE__ */ new Set()) {
  let real;
  try {
    real = await fsp3.realpath(src);
  } catch (e) {
    if (errnoCode(e) === "ENOENT")
      return { files: 0, bytes: 0 };
    throw e;
  }
  if (!isInside(within, real)) {
    throw new StoreError("invalid", `${label}: a symbolic link that leaves the run's artifacts`);
  }
  if (chain.has(real))
    throw new StoreError("invalid", `${label}: a symbolic link loop`);
  const st = await fsp3.stat(real);
  if (st.isFile()) {
    await fsp3.mkdir(path8.dirname(dest), { recursive: true });
    await fsp3.copyFile(real, dest, constants6.COPYFILE_FICLONE);
    return { files: 1, bytes: st.size };
  }
  if (!st.isDirectory())
    return { files: 0, bytes: 0 };
  await fsp3.mkdir(dest, { recursive: true });
  const inner = new Set(chain).add(real);
  let files = 0;
  let bytes = 0;
  for (const name of (await fsp3.readdir(real)).sort()) {
    const r = await copyFollowing(path8.join(real, name), path8.join(dest, name), within, label, inner);
    files += r.files;
    bytes += r.bytes;
  }
  return { files, bytes };
}
async function mergeInto(src, dest) {
  for (const d of await fsp3.readdir(src, { withFileTypes: true })) {
    const s = path8.join(src, d.name);
    const t = path8.join(dest, d.name);
    const existing = await fsp3.stat(t).catch((e) => {
      if (errnoCode(e) === "ENOENT")
        return void 0;
      throw e;
    });
    if (d.isDirectory()) {
      if (existing === void 0) {
        await fsp3.rm(t, { force: true });
        await fsp3.rename(s, t);
      } else if (existing.isDirectory()) {
        await mergeInto(s, t);
      } else {
        throw new StoreError("invalid", `cannot download into ${t}: it is a file, and the artifact has a folder there`);
      }
    } else if (existing?.isDirectory()) {
      throw new StoreError("invalid", `cannot download into ${t}: it is a folder, and the artifact has a file there`);
    } else {
      await fsp3.rename(s, t);
    }
  }
}

// ../../packages/artifacts/lib/types.js
var RUN_STATUSES = Object.freeze([
  "submitted",
  "running",
  "uploading",
  "done",
  "failed",
  "stopped"
]);
var ACTIVE_STATUSES = /* @__PURE__ */ new Set([
  "submitted",
  "running",
  "uploading"
]);

// ../../packages/artifacts/lib/local-store.js
var RECENT_RUNS_SHOWN = 5;
var STALE_LOCK_MS = 3e4;
var LOCK_TIMEOUT_MS = 15e3;
var byNewest = (a2, b) => a2.submittedAt !== b.submittedAt ? a2.submittedAt < b.submittedAt ? 1 : -1 : b.runName.localeCompare(a2.runName, "en", { numeric: true });
var sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function writeAtomic(file, text) {
  const tmp = path9.join(path9.dirname(file), tempName(path9.basename(file), "tmp"));
  try {
    await fsp4.writeFile(tmp, text, { flag: "wx" });
    await fsp4.rename(tmp, file);
  } catch (e) {
    await removeQuietly(tmp);
    throw e;
  }
}
var json = (value) => `${JSON.stringify(value, null, 2)}
`;
var LocalStore = class _LocalStore {
  /** The store's folder, absolute. */
  home;
  constructor(options) {
    this.home = path9.resolve(options.home);
  }
  /**
   * The store folder for an environment: `DSTACK_HOME` when set and not empty (a leading `~/`
   * is expanded, a relative path is resolved against the current folder), else `~/.dstack`.
   */
  static home(env = process.env) {
    const given = env.DSTACK_HOME;
    if (given === void 0 || given === "")
      return path9.join(os3.homedir(), ".dstack");
    if (given === "~")
      return os3.homedir();
    if (given.startsWith("~/"))
      return path9.join(os3.homedir(), given.slice(2));
    return path9.resolve(given);
  }
  /** A store in {@link LocalStore.home}`(env)`. */
  static fromEnv(env = process.env) {
    return new _LocalStore({ home: _LocalStore.home(env) });
  }
  get runsDir() {
    return path9.join(this.home, "runs");
  }
  get tagsDir() {
    return path9.join(this.home, "tags");
  }
  /** The index of runs not final (see the module comment). */
  get activeDir() {
    return path9.join(this.home, "active-runs");
  }
  activeEntry(runName) {
    return path9.join(this.activeDir, checkName("run", runName));
  }
  /**
   * The run's folder, `runs/<run-name>` (absolute; it may not exist).
   *
   * @throws StoreError `invalid` for a name that is not a safe folder name.
   */
  runDir(runName) {
    return path9.join(this.runsDir, checkName("run", runName));
  }
  /** The run's log file, `runs/<run-name>/logs.txt` (absolute; the executor writes it). */
  logPath(runName) {
    return path9.join(this.runDir(runName), "logs.txt");
  }
  /** The run's artifacts folder, `runs/<run-name>/artifacts` (absolute). */
  artifactsDir(runName) {
    return path9.join(this.runDir(runName), "artifacts");
  }
  runFile(runName) {
    return path9.join(this.runDir(runName), "run.json");
  }
  tagFile(tag) {
    return path9.join(this.tagsDir, `${checkName("tag", tag)}.json`);
  }
  /** `mkdir -p dir`, failing with a one-line `io` error that names DSTACK_HOME. */
  async ensureDir(dir) {
    try {
      await fsp4.mkdir(dir, { recursive: true });
    } catch (e) {
      throw ioError(`cannot write to DSTACK_HOME ${this.home} (set DSTACK_HOME to a folder you can write)`, e);
    }
  }
  /**
   * Creates a run named `adjective-animal-N`, claimed with `mkdir runs/<name>` (not recursive),
   * so concurrent callers never share a name. Status `submitted`, `submittedAt` now, no
   * artifacts.
   *
   * @throws StoreError `io` when DSTACK_HOME cannot be written (naming the folder and errno).
   */
  async createRun(options) {
    const runs = this.runsDir;
    await this.ensureDir(runs);
    const claim = async (name) => {
      try {
        await fsp4.mkdir(path9.join(runs, name));
        return true;
      } catch (e) {
        if (errnoCode(e) === "EEXIST")
          return false;
        throw ioError(`cannot create a run in ${runs}`, e);
      }
    };
    let runName;
    if (options.runName !== void 0) {
      checkName("run", options.runName);
      if (!await claim(options.runName)) {
        throw new StoreError("invalid", `run ${options.runName} exists already in ${runs}`);
      }
      runName = options.runName;
    } else {
      runName = await allocateRunName({ random: options.random, claim });
    }
    try {
      await this.indexActive(runName);
    } catch (e) {
      await removeQuietly(this.runDir(runName));
      throw ioError(`cannot write the index of active runs in ${this.home}`, e);
    }
    const record = {
      runName,
      workflow: options.workflow,
      status: "submitted",
      submittedAt: (/* @__PURE__ */ new Date()).toISOString(),
      repoDir: path9.resolve(options.repoDir),
      job: options.job,
      ...options.parentRun !== void 0 ? { parentRun: options.parentRun } : {},
      artifacts: [],
      hostname: os3.hostname(),
      ...options.supervisor !== void 0 ? { pid: options.supervisor.pid, supervisor: options.supervisor } : {}
    };
    try {
      await writeAtomic(this.runFile(runName), json(record));
    } catch (e) {
      await removeQuietly(this.runDir(runName));
      await removeQuietly(this.activeEntry(runName));
      throw ioError(`cannot write run ${runName} in ${runs}`, e);
    }
    return record;
  }
  /**
   * Adds a run to the index of active runs, making the index first when there is none: every
   * run.json read, an entry for each run not final, in a temporary folder renamed into place (a
   * concurrent maker's folder, renamed first, is kept).
   */
  async indexActive(runName) {
    if (!await pathExists(this.activeDir)) {
      const temp = path9.join(this.home, tempName("active-runs", "index"));
      try {
        await fsp4.mkdir(temp);
        for (const run of await this.listRuns()) {
          if (ACTIVE_STATUSES.has(run.status)) {
            await fsp4.writeFile(path9.join(temp, run.runName), "");
          }
        }
        await fsp4.rename(temp, this.activeDir);
      } catch (e) {
        const code = errnoCode(e);
        if (code !== "EEXIST" && code !== "ENOTEMPTY")
          throw e;
      } finally {
        await removeQuietly(temp);
      }
    }
    await fsp4.writeFile(this.activeEntry(runName), "");
  }
  /** Reads run.json; `undefined` when the run does not exist (or is being created). */
  async readRun(runName) {
    const file = this.runFile(runName);
    let text;
    try {
      text = await fsp4.readFile(file, "utf8");
    } catch (e) {
      const code = errnoCode(e);
      if (code === "ENOENT" || code === "ENOTDIR")
        return void 0;
      throw ioError(`cannot read run ${runName}`, e);
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new StoreError("io", `${file} is not valid JSON (${e.message})`, {
        cause: e
      });
    }
  }
  /**
   * A run by name.
   *
   * @throws StoreError `not-found` naming the run, with a did-you-mean and a few recent runs.
   */
  async getRun(runName) {
    const record = isValidName(runName) ? await this.readRun(runName) : void 0;
    if (record === void 0)
      throw await this.runNotFound(runName);
    return record;
  }
  async runNotFound(runName) {
    const runs = await this.listRuns();
    if (runs.length === 0) {
      return new StoreError("not-found", `no run ${JSON.stringify(runName)}: there are no runs in ${this.home} yet`);
    }
    const names = runs.map((r) => r.runName);
    const guess = didYouMean(runName, names);
    const hint = guess !== void 0 ? `; did you mean ${JSON.stringify(guess)}?` : "";
    const recent = names.slice(0, RECENT_RUNS_SHOWN).join(", ");
    const more = names.length > RECENT_RUNS_SHOWN ? `, \u2026 (${names.length} in all)` : "";
    return new StoreError("not-found", `no run ${JSON.stringify(runName)}${hint} (recent runs: ${recent}${more})`);
  }
  /** All runs, newest first (by `submittedAt`); folders without a readable run.json are skipped. */
  async listRuns() {
    let names;
    try {
      names = await fsp4.readdir(this.runsDir);
    } catch (e) {
      if (errnoCode(e) === "ENOENT")
        return [];
      throw ioError(`cannot list runs in ${this.runsDir}`, e);
    }
    const records = await Promise.all(names.filter(isValidName).map((n2) => this.readRun(n2).catch(() => void 0)));
    return records.filter((r) => r !== void 0).sort(byNewest);
  }
  /**
   * The runs not final (`submitted`, `running`, `uploading`), newest first: those a dead dstack
   * process may have left marked active. Reads only the run.json of the runs the index
   * `active-runs/` names (every run.json while the store has no index yet); an entry naming a
   * final run, or a run whose folder is gone, is removed.
   *
   * @throws StoreError `io` when the index cannot be read.
   */
  async listActiveRuns() {
    let names;
    try {
      names = await fsp4.readdir(this.activeDir);
    } catch (e) {
      if (errnoCode(e) !== "ENOENT")
        throw ioError(`cannot list runs in ${this.activeDir}`, e);
      return (await this.listRuns()).filter((r) => ACTIVE_STATUSES.has(r.status));
    }
    const records = await Promise.all(names.filter(isValidName).map(async (name) => {
      const run = await this.readRun(name).catch(() => void 0);
      if (run !== void 0 && ACTIVE_STATUSES.has(run.status))
        return run;
      if (run !== void 0 || !await pathExists(this.runDir(name))) {
        await removeQuietly(this.activeEntry(name));
      }
      return void 0;
    }));
    return records.filter((r) => r !== void 0).sort(byNewest);
  }
  /**
   * Removes a run, its log and its artifacts, for a command that failed after creating it (so no
   * run stays `submitted`). Tags pointing at it are left to say that their run is gone.
   *
   * @throws StoreError `invalid` for a name that is not a valid run name; `io`.
   */
  async deleteRun(runName) {
    try {
      await fsp4.rm(this.runDir(runName), { recursive: true, force: true });
    } catch (e) {
      throw ioError(`cannot remove run ${runName}`, e);
    }
    await removeQuietly(this.activeEntry(runName));
  }
  /** Runs `fn` holding the run's lock (`runs/<name>/.lock`). */
  async withRunLock(runName, fn) {
    const lock = path9.join(this.runDir(runName), ".lock");
    const deadline = Date.now() + LOCK_TIMEOUT_MS;
    for (; ; ) {
      try {
        await fsp4.mkdir(lock);
        break;
      } catch (e) {
        const code = errnoCode(e);
        if (code === "ENOENT")
          throw await this.runNotFound(runName);
        if (code !== "EEXIST")
          throw ioError(`cannot lock run ${runName}`, e);
      }
      const st = await fsp4.stat(lock).catch(() => void 0);
      if (st !== void 0 && Date.now() - st.mtimeMs > STALE_LOCK_MS) {
        await removeQuietly(lock);
        continue;
      }
      if (Date.now() > deadline) {
        throw new StoreError("io", `run ${runName} is locked (${lock} exists); remove that folder if no dstack process is using the run`);
      }
      await sleep(5 + Math.random() * 20);
    }
    try {
      return await fn();
    } finally {
      await removeQuietly(lock);
    }
  }
  /**
   * Changes a run's fields (`runName` cannot change; a key given as `undefined` removes the
   * field) and returns the run as saved. Safe against concurrent updates of the same run.
   *
   * @throws StoreError `not-found` for an unknown run; `io` when run.json cannot be written.
   */
  async updateRun(runName, patch) {
    await this.getRun(runName);
    return this.withRunLock(runName, async () => {
      const current = await this.getRun(runName);
      const next = { ...current, ...patch, runName: current.runName };
      await this.writeRun(next);
      return JSON.parse(json(next));
    });
  }
  /** Writes run.json; a run now final leaves the index of active runs, after the write. */
  async writeRun(record) {
    try {
      await writeAtomic(this.runFile(record.runName), json(record));
    } catch (e) {
      throw ioError(`cannot write run ${record.runName}`, e);
    }
    if (!ACTIVE_STATUSES.has(record.status)) {
      await removeQuietly(this.activeEntry(record.runName));
    }
  }
  /**
   * Copies repository folders (or files) into the run's artifacts, each replacing an earlier
   * copy of the same path. Every path is checked and scanned before anything is copied; each
   * copy goes to a temporary sibling and is then swapped in.
   *
   * @param options.paths - repository-relative paths (a job's `artifacts`); a path that does not
   *   exist is skipped and reported in `missing`.
   * @returns what was copied (`files` and `bytes` of each path), what was missing, and the
   *   symbolic links left out because they lead out of the repository (see the module comment).
   * @throws StoreError `invalid` for a path that leaves the repository (`../x`, `/x`);
   *   `not-found` for an unknown run; `io`.
   */
  async saveArtifacts(runName, options) {
    await this.getRun(runName);
    const repoDir = await realpathOrUndefined(options.repoDir);
    if (repoDir === void 0) {
      throw new StoreError("not-found", `repository folder ${options.repoDir} does not exist`);
    }
    const plans = [];
    const missing = [];
    const refused = [];
    for (const given of options.paths) {
      const artifactPath = checkArtifactPath(given);
      const source = await realpathOrUndefined(path9.join(repoDir, artifactPath));
      if (source === void 0) {
        missing.push(artifactPath);
        continue;
      }
      if (!isInside(repoDir, source)) {
        refused.push(`${artifactPath} -> ${source}`);
        continue;
      }
      const scan = await scanArtifact(source, artifactPath, repoDir);
      refused.push(...scan.refused);
      plans.push({ artifactPath, source, nodes: scan.nodes });
    }
    const saved = [];
    for (const plan of plans)
      saved.push(await this.storeCopy(runName, plan));
    return { saved, missing, refused };
  }
  /**
   * Copies one folder or file into the run's artifacts under `artifactPath` (the Python API's
   * `upload`), replacing an earlier copy of that path.
   *
   * @returns the entry for what was copied.
   * @throws StoreError `not-found` when `localPath` or the run does not exist; `invalid` for a
   *   relative `localPath`, an artifact path that leaves its folder, or an outward link; `io`.
   */
  async addArtifact(runName, options) {
    if (!path9.isAbsolute(options.localPath)) {
      throw new StoreError("invalid", `local path ${JSON.stringify(options.localPath)} must be absolute`);
    }
    const artifactPath = checkArtifactPath(options.artifactPath);
    await this.getRun(runName);
    const source = await realpathOrUndefined(options.localPath);
    if (source === void 0) {
      throw new StoreError("not-found", `${options.localPath} does not exist`);
    }
    const nodes = await scanTree(source, artifactPath);
    return this.storeCopy(runName, { artifactPath, source, nodes });
  }
  /** Checks that the folders above `artifactPath` in the store are folders (or absent). */
  async checkParents(root, artifactPath) {
    const parts = artifactPath.split("/");
    for (let i2 = 1; i2 < parts.length; i2++) {
      const above = parts.slice(0, i2).join("/");
      const st = await fsp4.lstat(path9.join(root, above)).catch(() => void 0);
      if (st === void 0)
        return;
      if (!st.isDirectory()) {
        throw new StoreError("invalid", `artifact path ${JSON.stringify(artifactPath)} lies inside ${JSON.stringify(above)}, which is ${st.isSymbolicLink() ? "a symbolic link" : "a file"} in this run's artifacts`);
      }
    }
  }
  /** Copies a scanned source into the run's artifacts and records the entry. */
  async storeCopy(runName, plan) {
    const { artifactPath, source, nodes } = plan;
    const root = this.artifactsDir(runName);
    const dest = path9.join(root, artifactPath);
    const parent = path9.dirname(dest);
    const tmp = path9.join(parent, tempName(path9.basename(dest), "tmp"));
    const entry = { path: artifactPath, ...treeStats(nodes) };
    let old;
    try {
      await this.checkParents(root, artifactPath);
      await fsp4.mkdir(parent, { recursive: true });
      await copyTree(source, nodes, tmp);
      await this.withRunLock(runName, async () => {
        await this.checkParents(root, artifactPath);
        old = path9.join(parent, tempName(path9.basename(dest), "old"));
        try {
          await fsp4.rename(dest, old);
        } catch (e) {
          if (errnoCode(e) !== "ENOENT")
            throw e;
          old = void 0;
        }
        try {
          await fsp4.rename(tmp, dest);
        } catch (e) {
          if (old !== void 0)
            await fsp4.rename(old, dest);
          old = void 0;
          throw e;
        }
        const run = await this.getRun(runName);
        run.artifacts = await this.mergeEntries(root, run.artifacts, entry);
        await this.writeRun(run);
      });
      return entry;
    } catch (e) {
      throw ioError(`cannot save ${artifactPath} in run ${runName}`, e);
    } finally {
      await removeQuietly(tmp);
      if (old !== void 0)
        await removeQuietly(old);
    }
  }
  /**
   * The run's entries after saving `entry`: entries at or below its path are gone (replaced);
   * when an entry holds it, that entry's counts are taken again instead of adding a new one.
   */
  async mergeEntries(root, entries, entry) {
    const kept = entries.filter((e) => e.path !== entry.path && !e.path.startsWith(`${entry.path}/`));
    const holder = kept.find((e) => entry.path.startsWith(`${e.path}/`));
    if (holder === void 0) {
      kept.push(entry);
    } else {
      const nodes = await scanTree(path9.join(root, holder.path), holder.path);
      Object.assign(holder, treeStats(nodes));
    }
    return kept.sort((a2, b) => a2.path < b.path ? -1 : a2.path > b.path ? 1 : 0);
  }
  /**
   * The run a reference names: `{ run }` by name, `{ tag }` through the tag.
   *
   * @throws StoreError `not-found` for an unknown run or tag (with a did-you-mean), or a tag
   *   whose run was removed.
   */
  async resolveRef(ref) {
    if ("run" in ref)
      return this.getRun(ref.run);
    const tag = await this.getTag(ref.tag);
    try {
      return await this.getRun(tag.runName);
    } catch (e) {
      if (e instanceof StoreError && e.code === "not-found") {
        throw new StoreError("not-found", `tag ${JSON.stringify(ref.tag)} points at run ${JSON.stringify(tag.runName)}, which no longer exists; tag another run`);
      }
      throw e;
    }
  }
  /** Every node of a run's artifacts with paths below the artifacts root, sorted by path. */
  async scanRun(run) {
    const root = this.artifactsDir(run.runName);
    const out = [];
    for (const entry of run.artifacts) {
      const abs = path9.join(root, entry.path);
      if (await fsp4.lstat(abs).catch(() => void 0) === void 0)
        continue;
      for (const node of await scanTree(abs, entry.path)) {
        out.push({ ...node, rel: node.rel === "" ? entry.path : `${entry.path}/${node.rel}` });
      }
    }
    return out.sort((a2, b) => a2.rel < b.rel ? -1 : a2.rel > b.rel ? 1 : 0);
  }
  /**
   * Every file of a run's artifacts (regular files and symbolic links; sizes in bytes), sorted
   * by path.
   *
   * @throws StoreError `not-found` for an unknown run or tag.
   */
  async listArtifacts(ref) {
    const run = await this.resolveRef(ref);
    return (await this.scanRun(run)).filter((n2) => n2.kind !== "dir").map((n2) => n2.kind === "link" ? { path: n2.rel, bytes: 0, link: n2.target ?? "." } : { path: n2.rel, bytes: n2.bytes });
  }
  /**
   * Copies a run's artifacts, or the part below `artifactPath`, into `localPath`, keeping the
   * layout below `artifactPath` (dstack's semantics: `artifactPath: "output/my_model"`,
   * `localPath: "/w/my_model"` puts the files of `output/my_model` in `/w/my_model`). The files
   * are copied into a temporary folder first (inside `localPath` when it exists, else beside
   * it), then renamed into place, so no half-written file is ever left; an existing
   * `localPath` is merged into, its other files kept.
   *
   * @throws StoreError `not-found` for an unknown run, tag or artifact path (listing the
   *   artifact paths the run has); `invalid` for an artifact path that leaves its folder, a
   *   relative `localPath`, or a `localPath` that is a file; `io`.
   */
  async downloadArtifacts(ref, options) {
    const artifactPath = checkArtifactPath(options.artifactPath ?? "", { allowAll: true });
    const localPath = options.localPath;
    if (!path9.isAbsolute(localPath)) {
      throw new StoreError("invalid", `local path ${JSON.stringify(localPath)} must be absolute`);
    }
    const run = await this.resolveRef(ref);
    const root = this.artifactsDir(run.runName);
    const all = await this.scanRun(run);
    const prefix = `${artifactPath}/`;
    const selected = artifactPath === "" ? all : all.filter((n2) => n2.rel === artifactPath || n2.rel.startsWith(prefix));
    if (artifactPath !== "" && selected.length === 0) {
      const have = run.artifacts.map((e) => e.path);
      throw new StoreError("not-found", `run ${run.runName} has no artifact ${JSON.stringify(artifactPath)}; ${have.length > 0 ? `its artifact paths are: ${have.join(", ")}` : "it has no artifacts"}`);
    }
    const outRel = (n2) => {
      if (artifactPath === "")
        return n2.rel;
      if (n2.rel === artifactPath)
        return n2.kind === "dir" ? "" : path9.posix.basename(n2.rel);
      return n2.rel.slice(prefix.length);
    };
    const existing = await fsp4.stat(localPath).catch((e) => {
      if (errnoCode(e) === "ENOENT")
        return void 0;
      throw ioError(`cannot download into ${localPath}`, e);
    });
    if (existing !== void 0 && !existing.isDirectory()) {
      throw new StoreError("invalid", `local path ${localPath} is a file; give a folder (it is created if missing)`);
    }
    const stageParent = existing !== void 0 ? localPath : path9.dirname(localPath);
    const stage = path9.join(stageParent, tempName(path9.basename(localPath), "download"));
    let files = 0;
    let bytes = 0;
    try {
      await fsp4.mkdir(stageParent, { recursive: true });
      await fsp4.mkdir(stage);
      const realRoot = await fsp4.realpath(root).catch(() => root);
      for (const n2 of selected) {
        if (n2.kind === "dir")
          await fsp4.mkdir(path9.join(stage, outRel(n2)), { recursive: true });
      }
      const copies = selected.filter((n2) => n2.kind === "file");
      await settleLimited(copies, 16, async (n2) => {
        const dest = path9.join(stage, outRel(n2));
        await fsp4.mkdir(path9.dirname(dest), { recursive: true });
        await fsp4.copyFile(path9.join(root, n2.rel), dest, constants7.COPYFILE_FICLONE);
      });
      for (const n2 of copies) {
        files++;
        bytes += n2.bytes;
      }
      for (const n2 of selected) {
        if (n2.kind !== "link")
          continue;
        const dest = path9.join(stage, outRel(n2));
        const pointsAt = path9.posix.join(path9.posix.dirname(n2.rel), n2.target ?? ".");
        const staysInside = artifactPath === "" || pointsAt === artifactPath || pointsAt.startsWith(prefix);
        if (staysInside && n2.rel !== artifactPath) {
          await fsp4.mkdir(path9.dirname(dest), { recursive: true });
          await fsp4.symlink(n2.target ?? ".", dest);
          files++;
        } else {
          const r = await copyFollowing(path9.join(root, n2.rel), dest, realRoot, n2.rel);
          files += r.files;
          bytes += r.bytes;
        }
      }
      if (existing === void 0) {
        try {
          await fsp4.rename(stage, localPath);
          return { runName: run.runName, files, bytes, localPath };
        } catch (e) {
          const code = errnoCode(e);
          if (code !== "EEXIST" && code !== "ENOTEMPTY")
            throw e;
        }
      }
      await mergeInto(stage, localPath);
      return { runName: run.runName, files, bytes, localPath };
    } catch (e) {
      throw ioError(`cannot download ${artifactPath || "artifacts"} into ${localPath}`, e);
    } finally {
      await removeQuietly(stage);
    }
  }
  /**
   * Points `tag` at `runName`, moving it if it pointed at another run.
   *
   * @returns `{ previous }`, the run it pointed at before, when that was another run.
   * @throws StoreError `invalid` for a tag outside `TAG_PATTERN`; `not-found` for an unknown
   *   run; `io`.
   */
  async setTag(tag, runName) {
    const file = this.tagFile(tag);
    await this.getRun(runName);
    await this.ensureDir(this.tagsDir);
    const before = await this.readTag(tag);
    const record = {
      tag,
      runName,
      createdAt: before !== void 0 && before.runName === runName ? before.createdAt : (/* @__PURE__ */ new Date()).toISOString()
    };
    try {
      await writeAtomic(file, json(record));
    } catch (e) {
      throw ioError(`cannot write tag ${tag} in ${this.tagsDir}`, e);
    }
    return before !== void 0 && before.runName !== runName ? { previous: before.runName } : {};
  }
  async readTag(tag) {
    const file = this.tagFile(tag);
    let text;
    try {
      text = await fsp4.readFile(file, "utf8");
    } catch (e) {
      if (errnoCode(e) === "ENOENT" || errnoCode(e) === "ENOTDIR")
        return void 0;
      throw ioError(`cannot read tag ${tag}`, e);
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new StoreError("io", `${file} is not valid JSON (${e.message})`, {
        cause: e
      });
    }
  }
  /**
   * A tag.
   *
   * @throws StoreError `not-found` naming the tag, with a did-you-mean and the tags there are.
   */
  async getTag(tag) {
    const record = isValidName(tag) ? await this.readTag(tag) : void 0;
    if (record !== void 0)
      return record;
    const tags = (await this.listTags()).map((t) => t.tag);
    if (tags.length === 0) {
      throw new StoreError("not-found", `no tag ${JSON.stringify(tag)}: there are no tags in ${this.home} yet`);
    }
    const guess = didYouMean(tag, tags);
    const hint = guess !== void 0 ? `; did you mean ${JSON.stringify(guess)}?` : "";
    const shown = tags.slice(0, 10).join(", ") + (tags.length > 10 ? ", \u2026" : "");
    throw new StoreError("not-found", `no tag ${JSON.stringify(tag)}${hint} (tags: ${shown})`);
  }
  /** All tags, sorted by name; unreadable tag files are skipped. */
  async listTags() {
    let names;
    try {
      names = await fsp4.readdir(this.tagsDir);
    } catch (e) {
      if (errnoCode(e) === "ENOENT")
        return [];
      throw ioError(`cannot list tags in ${this.tagsDir}`, e);
    }
    const tags = names.filter((n2) => n2.endsWith(".json")).map((n2) => n2.slice(0, -".json".length)).filter(isValidName);
    const records = await Promise.all(tags.map((t) => this.readTag(t).catch(() => void 0)));
    return records.filter((r) => r !== void 0).sort((a2, b) => a2.tag < b.tag ? -1 : a2.tag > b.tag ? 1 : 0);
  }
  /**
   * Removes a tag; the run and its artifacts stay.
   *
   * @returns the removed tag.
   * @throws StoreError `not-found` (with a did-you-mean) for an unknown tag; `io`.
   */
  async deleteTag(tag) {
    const record = await this.getTag(tag);
    try {
      await fsp4.rm(this.tagFile(tag), { force: true });
    } catch (e) {
      throw ioError(`cannot remove tag ${tag}`, e);
    }
    return record;
  }
  /**
   * The workflow's newest run with status `done` (by `finishedAt`, then `submittedAt`), for
   * `deps: - workflow: NAME`; `undefined` when it has none.
   */
  async latestSuccessfulRun(workflow) {
    const done = (await this.listRuns()).filter((r) => r.status === "done" && r.workflow === workflow);
    const when = (r) => r.finishedAt ?? r.submittedAt;
    let best;
    for (const r of done)
      if (best === void 0 || when(r) > when(best))
        best = r;
    return best;
  }
};
async function removeQuietly(p) {
  await fsp4.rm(p, { recursive: true, force: true }).catch(() => void 0);
}
async function pathExists(p) {
  try {
    await fsp4.lstat(p);
    return true;
  } catch {
    return false;
  }
}
async function realpathOrUndefined(p) {
  try {
    return await fsp4.realpath(p);
  } catch (e) {
    const code = errnoCode(e);
    if (code === "ENOENT" || code === "ENOTDIR")
      return void 0;
    throw ioError(`cannot read ${p}`, e);
  }
}

// ../../packages/host/lib/check.js
function noGpuReason(report) {
  switch (report.sources.gpus) {
    case "none":
      return "nvidia-smi not found";
    case "failed":
      return "nvidia-smi failed";
    default:
      return "nvidia-smi found no GPUs";
  }
}
function checkResources(resources, report) {
  const unmet = hostSatisfies(resources, report).map((u2) => u2.field.startsWith("resources.gpu.") && report.gpus.length === 0 ? { ...u2, message: `${u2.message} (${noGpuReason(report)})` } : u2);
  if (unmet.length === 0) {
    return { ok: true };
  }
  return { ok: false, unmet, message: unmet.map((u2) => u2.message).join("\n") };
}
function roughSize(bytes) {
  let unit = 1;
  while (unit < 1e15 && bytes >= unit * 1e3) {
    unit *= 1e3;
  }
  if (unit === 1) {
    return formatSize(bytes);
  }
  const tenth = unit / 10;
  return formatSize(Math.round(bytes / tenth) * tenth);
}
function describeGpus(gpus) {
  const groups = [];
  for (const gpu of gpus) {
    const group = groups.find((g) => g.gpu.name === gpu.name && g.gpu.memoryBytes === gpu.memoryBytes);
    if (group) {
      group.count += 1;
    } else {
      groups.push({ gpu, count: 1 });
    }
  }
  return groups.map(({ gpu, count: count2 }) => `${count2}x ${gpu.name} (${roughSize(gpu.memoryBytes)})`).join(", ");
}
function formatHostFacts(report) {
  const parts = [
    `${report.cpus} CPU${report.cpus === 1 ? "" : "s"}`,
    `${roughSize(report.memoryBytes)} memory`,
    report.gpus.length > 0 ? describeGpus(report.gpus) : `no GPUs (${noGpuReason(report)})`,
    report.shmSizeBytes === void 0 ? "/dev/shm unknown" : `/dev/shm ${roughSize(report.shmSizeBytes)}`
  ];
  if (report.interruptible) {
    parts.push("interruptible");
  }
  return parts.join(", ");
}

// ../../packages/host/lib/errors.js
var HostError = class extends Error {
  name = "HostError";
  /** What went wrong; see {@link HostErrorCode}. */
  code;
  /**
   * @param code - see {@link HostErrorCode}.
   * @param message - one line: what failed, what was given, how to fix it.
   * @param options - `cause`: the underlying error, when there is one.
   */
  constructor(code, message, options) {
    super(message, options);
    this.code = code;
  }
};

// ../../packages/host/lib/facts.js
import { statfs } from "node:fs/promises";
import * as nodeOs from "node:os";
import { join as join5 } from "node:path";

// ../../packages/host/lib/cgroup.js
import { readFile as readFile2 } from "node:fs/promises";
import { join as join4, posix } from "node:path";
async function readText(path12) {
  try {
    return await readFile2(path12, "utf8");
  } catch {
    return void 0;
  }
}
async function cgroupDirs(root) {
  const text = await readText(join4(root, "proc/self/cgroup"));
  const match = text === void 0 ? null : /^0::(\/.*)$/m.exec(text);
  let path12 = match?.[1] === void 0 ? "/" : posix.normalize(match[1].trim());
  if (path12.startsWith("/..") || !path12.startsWith("/")) {
    path12 = "/";
  }
  const dirs = [];
  for (; ; ) {
    dirs.push(path12 === "/" ? "/sys/fs/cgroup" : posix.join("/sys/fs/cgroup", path12));
    if (path12 === "/") {
      return dirs;
    }
    path12 = posix.dirname(path12);
  }
}
function parseCpuMax(raw) {
  const m = /^(max|\d+)(?:\s+(\d+))?$/.exec(raw);
  if (!m) {
    return void 0;
  }
  const [, max = "", period = "100000"] = m;
  if (max === "max") {
    return null;
  }
  const quota = Number(max);
  const per = Number(period);
  if (quota <= 0 || per <= 0) {
    return void 0;
  }
  return quota / per;
}
function parseMemoryMax(raw) {
  if (raw === "max") {
    return null;
  }
  return /^\d+$/.test(raw) ? Number(raw) : void 0;
}
async function readSmallest(root, dirs, name) {
  const parse = name === "cpu.max" ? parseCpuMax : parseMemoryMax;
  const contents = await Promise.all(dirs.map(async (dir) => {
    const file = posix.join(dir, name);
    return { file, text: await readText(join4(root, file)) };
  }));
  const notes = [];
  let limit;
  for (const { file, text } of contents) {
    if (text === void 0) {
      continue;
    }
    const raw = text.trim();
    const value = parse(raw);
    if (value === void 0) {
      notes.push(`ignored ${file}: ${JSON.stringify(raw)} is not a cgroup v2 ${name} value`);
    } else if (value !== null && (limit === void 0 || value < limit.value)) {
      limit = { value, file, raw };
    }
  }
  return limit === void 0 ? { notes } : { limit, notes };
}
function readCpuMax(root, dirs) {
  return readSmallest(root, dirs, "cpu.max");
}
function readMemoryMax(root, dirs) {
  return readSmallest(root, dirs, "memory.max");
}
async function readMemTotal(root) {
  const text = await readText(join4(root, "proc/meminfo"));
  const match = text === void 0 ? null : /^MemTotal:\s+(\d+)\s*kB\s*$/m.exec(text);
  if (match?.[1] === void 0) {
    return void 0;
  }
  const kib = Number(match[1]);
  return { bytes: kib * 1024, kib };
}

// ../../packages/host/lib/nvidia.js
import { existsSync as existsSync2 } from "node:fs";
import path10 from "node:path";
var NVIDIA_SMI_ARGS = [
  "--query-gpu=index,name,memory.total,uuid",
  "--format=csv,noheader,nounits"
];
var NVIDIA_SMI_TIMEOUT_MS = 15e3;
var MIB = 2 ** 20;
var FIELDS = "index, name, memory.total (MiB), uuid";
var WHOLE_NUMBER = /^\d+$/;
function parseNvidiaSmiCsv(text) {
  const gpus = [];
  const lines = text.split(/\r?\n/);
  for (const [i2, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "") {
      continue;
    }
    const fail = (what) => {
      throw new HostError("gpu-parse", `nvidia-smi output line ${i2 + 1}: ${what}; expected "${FIELDS}": ${JSON.stringify(line)}`);
    };
    const parts = line.split(",");
    if (parts.length < 4) {
      fail(`${parts.length} field${parts.length === 1 ? "" : "s"}`);
    }
    const index = (parts[0] ?? "").trim();
    const name = parts.slice(1, -2).join(",").trim();
    const memory = (parts.at(-2) ?? "").trim();
    const uuid = (parts.at(-1) ?? "").trim();
    if (!WHOLE_NUMBER.test(index)) {
      fail(`index ${JSON.stringify(index)} is not a whole number`);
    }
    if (name === "") {
      fail("the name is empty");
    }
    if (!WHOLE_NUMBER.test(memory)) {
      fail(`memory.total ${JSON.stringify(memory)} is not a whole number of MiB`);
    }
    if (uuid === "" || /\s/.test(uuid)) {
      fail(`uuid ${JSON.stringify(uuid)} is not a GPU UUID`);
    }
    gpus.push({ index: Number(index), name, memoryBytes: Number(memory) * MIB, uuid });
  }
  return gpus;
}
var DRIVER_FIX = "is the NVIDIA driver loaded? try nvidia-smi";
var NO_DRIVER = /couldn't communicate with the NVIDIA driver/i;
var NO_DEVICES = /^No devices were found$/im;
function firstLine(...texts) {
  for (const text of texts) {
    const line = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== "");
    if (line !== void 0) {
      return line;
    }
  }
  return "(no output)";
}
function onPath(command, pathVariable) {
  return pathVariable.split(path10.delimiter).some((dir) => existsSync2(path10.join(dir === "" ? "." : dir, command)));
}
async function runNvidiaSmi(options) {
  const { command, env, timeoutMs, args } = options;
  if (env.PATH !== void 0 && !command.includes("/") && !onPath(command, env.PATH)) {
    return void 0;
  }
  const result = await execa(command, args, {
    env,
    extendEnv: false,
    reject: false,
    timeout: timeoutMs,
    stdin: "ignore",
    stripFinalNewline: true
  });
  if (result.code === "ENOENT") {
    return void 0;
  }
  const stdout = typeof result.stdout === "string" ? result.stdout : "";
  const stderr = typeof result.stderr === "string" ? result.stderr : "";
  if (result.timedOut) {
    throw new HostError("gpu-driver", `${command} did not answer within ${timeoutMs / 1e3}s; ${DRIVER_FIX}`);
  }
  if (result.code !== void 0) {
    throw new HostError("gpu-driver", `${command} could not be started (${result.code}): ${JSON.stringify(firstLine(result.originalMessage ?? ""))}; ${DRIVER_FIX}`);
  }
  if (result.signal !== void 0) {
    throw new HostError("gpu-driver", `${command} was killed by ${result.signal}: ${JSON.stringify(firstLine(stderr, stdout))}; ${DRIVER_FIX}`);
  }
  const exitCode = result.exitCode ?? 0;
  if (NO_DRIVER.test(`${stdout}
${stderr}`)) {
    throw new HostError("gpu-driver", `${command} failed with exit code ${exitCode}: ${JSON.stringify(firstLine(stderr, stdout))}; ${DRIVER_FIX}`);
  }
  return { stdout, stderr, exitCode };
}
async function queryNvidiaSmi(options) {
  const { command } = options;
  const output = await runNvidiaSmi({ ...options, args: NVIDIA_SMI_ARGS });
  if (output === void 0) {
    return { gpus: [], source: "none", notes: [`${command} not found: 0 GPUs`] };
  }
  const { stdout, stderr, exitCode } = output;
  const said = `${stdout}
${stderr}`;
  if (NO_DEVICES.test(said) && (exitCode === 0 || exitCode === 6)) {
    return {
      gpus: [],
      source: "nvidia-smi",
      notes: [`${command}: No devices were found (exit code ${exitCode}): 0 GPUs`]
    };
  }
  if (exitCode !== 0) {
    throw new HostError("gpu-driver", `${command} failed with exit code ${exitCode}: ${JSON.stringify(firstLine(stderr, stdout))}; ${DRIVER_FIX}`);
  }
  const gpus = parseNvidiaSmiCsv(stdout);
  return {
    gpus,
    source: "nvidia-smi",
    notes: [`gpus from ${command}: ${gpus.length}`]
  };
}

// ../../packages/host/lib/gpu-set.js
var WHOLE = /^\d+$/;
var RANGE = /^(\d+)\s*-\s*(\d+)$/;
var UUID = /^GPU-[0-9A-Fa-f-]+$/;
function gpuRefText(ref) {
  return "index" in ref ? String(ref.index) : ref.uuid;
}
function parseGpuItem(item) {
  const text = item.trim();
  if (text === "") {
    return { error: "an item is empty" };
  }
  if (WHOLE.test(text)) {
    return [{ index: Number(text) }];
  }
  const range = RANGE.exec(text);
  if (range) {
    const from = Number(range[1]);
    const to = Number(range[2]);
    if (from > to) {
      return { error: `range ${text} runs backwards; write ${to}-${from}` };
    }
    return Array.from({ length: to - from + 1 }, (_, i2) => ({ index: from + i2 }));
  }
  if (UUID.test(text)) {
    return [{ uuid: text }];
  }
  if (/^MIG-/i.test(text)) {
    return { error: `${JSON.stringify(text)} is a MIG device, which is not supported` };
  }
  return { error: `${JSON.stringify(text)} is neither a GPU index nor a GPU UUID (GPU-\u2026)` };
}
function parseGpuSet(raw, options = {}) {
  const name = options.name ?? "DSTACK_RUNNER_GPUS";
  if (raw === void 0) {
    return { kind: "all" };
  }
  const text = raw.trim();
  if (text === "" || text.toLowerCase() === "none") {
    return { kind: "none" };
  }
  const fail = (what) => {
    throw new HostError("bad-env", `${name}=${raw}: ${what}; use GPU UUIDs or nvidia-smi indexes (or ranges of them, 0-3) separated by commas, e.g. ${name}=GPU-3edf87da-6dc2-bd9a-1484-92b81d6e1f89,GPU-62847ac1-d949-38ad-0267-cdf6a2d778cd or ${name}=0,1`);
  };
  const refs = [];
  const seen = /* @__PURE__ */ new Set();
  for (const part of text.split(",")) {
    const items = parseGpuItem(part);
    if ("error" in items) {
      return fail(items.error);
    }
    for (const ref of items) {
      const key = gpuRefText(ref).toLowerCase();
      if (seen.has(key)) {
        fail(`${JSON.stringify(items.length === 1 ? part.trim() : gpuRefText(ref))} is listed twice`);
      }
      seen.add(key);
      refs.push(ref);
    }
  }
  return { kind: "list", refs };
}
function resolveGpuSet(set, gpus, options = {}) {
  const name = options.name ?? "DSTACK_RUNNER_GPUS";
  if (set.kind === "all") {
    return [...gpus].sort((a2, b) => a2.index - b.index);
  }
  if (set.kind === "none") {
    return [];
  }
  const found = [];
  for (const ref of set.refs) {
    const gpu = "index" in ref ? gpus.find((g) => g.index === ref.index) : gpus.find((g) => g.uuid.toLowerCase() === ref.uuid.toLowerCase());
    if (gpu === void 0) {
      const has = gpus.length === 0 ? "this host has no GPU" : `this host has ${gpus.map((g) => `${g.index} (${g.uuid})`).join(", ")}`;
      throw new HostError("bad-env", `${name}: GPU ${gpuRefText(ref)} is not on this host; ${has}`);
    }
    if (found.some((g) => g.uuid === gpu.uuid)) {
      throw new HostError("bad-env", `${name}: GPU ${gpu.index} (${gpu.uuid}) is listed twice, by index and by UUID`);
    }
    found.push(gpu);
  }
  return found.sort((a2, b) => a2.index - b.index);
}

// ../../packages/host/lib/runner-share.js
var RUNNER_GPUS_ENV = "DSTACK_RUNNER_GPUS";
function readRunnerGpus(env) {
  return parseGpuSet(env[RUNNER_GPUS_ENV], { name: RUNNER_GPUS_ENV });
}
function runnerShare(report, gpus) {
  const all = report.gpuDetails.length;
  if (gpus.length === all) {
    return report;
  }
  const share = gpus.length / all;
  const cpus = Math.max(1, Math.floor(report.cpus * share));
  const memoryBytes = Math.floor(report.memoryBytes * share);
  const out = {
    ...report,
    cpus,
    memoryBytes,
    gpus: gpus.map(({ name, memoryBytes: memoryBytes2 }) => ({ name, memoryBytes: memoryBytes2 })),
    gpuDetails: [...gpus],
    notes: [
      ...report.notes,
      `this runner owns GPUs ${gpus.map((g) => g.index).join(",")} of ${all} (${RUNNER_GPUS_ENV}): ${cpus} of ${report.cpus} CPUs, ${gpus.length}/${all} of the memory and /dev/shm`
    ]
  };
  if (report.shmSizeBytes !== void 0) {
    out.shmSizeBytes = Math.floor(report.shmSizeBytes * share);
  }
  return out;
}
function applyRunnerShare(report, env) {
  const set = readRunnerGpus(env);
  if (set.kind === "all") {
    return report;
  }
  if (set.kind === "none") {
    return {
      ...report,
      gpus: [],
      gpuDetails: [],
      notes: [
        ...report.notes,
        `this runner owns no GPU (${RUNNER_GPUS_ENV}=${env[RUNNER_GPUS_ENV]})`
      ]
    };
  }
  return runnerShare(report, resolveGpuSet(set, report.gpuDetails, { name: RUNNER_GPUS_ENV }));
}
function gpuJobEnv(gpus) {
  return {
    CUDA_VISIBLE_DEVICES: gpus.map((g) => g.index).join(","),
    CUDA_DEVICE_ORDER: "PCI_BUS_ID",
    NVIDIA_VISIBLE_DEVICES: gpus.map((g) => g.uuid).join(",")
  };
}

// ../../packages/host/lib/facts.js
var INTERRUPTIBLE_ENV = "DSTACK_RUNNER_INTERRUPTIBLE";
function readInterruptible(env) {
  const raw = env[INTERRUPTIBLE_ENV];
  if (raw === void 0 || raw.trim() === "") {
    return { value: false };
  }
  const text = raw.trim().toLowerCase();
  if (text === "true" || text === "1") {
    return { value: true, note: `interruptible from ${INTERRUPTIBLE_ENV}=${raw}` };
  }
  if (text === "false" || text === "0") {
    return { value: false };
  }
  throw new HostError("bad-env", `${INTERRUPTIBLE_ENV}: ${JSON.stringify(raw)} is not a boolean; use true or 1 on spot runners, false or 0 (or unset) elsewhere`);
}
async function readShm(root) {
  try {
    const stats = await statfs(join5(root, "dev/shm"));
    return { bytes: stats.bsize * stats.blocks };
  } catch (error2) {
    const code = error2.code;
    return {
      note: code === "ENOENT" ? "/dev/shm not found: shm size unknown" : `/dev/shm unreadable (${code ?? String(error2)}): shm size unknown`
    };
  }
}
async function readHostFacts(options = {}) {
  const env = options.env ?? process.env;
  const root = options.root ?? "/";
  const os4 = options.os ?? nodeOs;
  const interruptible = options.interruptible === void 0 ? readInterruptible(env) : { value: options.interruptible, note: void 0 };
  const dirs = await cgroupDirs(root);
  const [cpuMax, memoryMax, memTotal, shm, smi] = await Promise.all([
    readCpuMax(root, dirs),
    readMemoryMax(root, dirs),
    readMemTotal(root),
    readShm(root),
    queryNvidiaSmi({
      command: options.nvidiaSmi ?? "nvidia-smi",
      env,
      timeoutMs: options.nvidiaSmiTimeoutMs ?? NVIDIA_SMI_TIMEOUT_MS
    }).catch((error2) => {
      if (options.gpuFailure === "warn" && error2 instanceof HostError && error2.code === "gpu-driver") {
        return { gpus: [], source: "failed", notes: [], failure: error2.message };
      }
      throw error2;
    })
  ]);
  const notes = [...cpuMax.notes];
  const osCpus = Math.max(1, os4.availableParallelism());
  let cpus = osCpus;
  let cpuSource = "os";
  if (cpuMax.limit === void 0) {
    notes.push(`cpus from os.availableParallelism(): no cgroup v2 cpu.max limit`);
  } else {
    const { value, file, raw } = cpuMax.limit;
    const whole = Math.max(1, Math.ceil(value));
    const rounded = whole === value ? "" : ` (${value} CPUs, rounded up)`;
    if (whole <= osCpus) {
      cpus = whole;
      cpuSource = "cgroup";
      notes.push(`cpus from cgroup ${file} ${raw}${rounded}`);
    } else {
      notes.push(`cpus from os.availableParallelism(): fewer than cgroup ${file} ${raw} allows${rounded}`);
    }
  }
  notes.push(...memoryMax.notes);
  const base = memTotal === void 0 ? { bytes: os4.totalmem(), source: "os", what: "os.totalmem()" } : {
    bytes: memTotal.bytes,
    source: "meminfo",
    what: `/proc/meminfo MemTotal ${memTotal.kib} kB`
  };
  let memoryBytes = base.bytes;
  let memorySource = base.source;
  if (memoryMax.limit !== void 0 && memoryMax.limit.value < base.bytes) {
    memoryBytes = memoryMax.limit.value;
    memorySource = "cgroup";
    notes.push(`memory from cgroup ${memoryMax.limit.file} ${memoryMax.limit.raw}`);
  } else if (memoryMax.limit !== void 0) {
    notes.push(`memory from ${base.what}: below cgroup ${memoryMax.limit.file} ${memoryMax.limit.raw}`);
  } else {
    notes.push(`memory from ${base.what}${memTotal === void 0 ? " (/proc/meminfo unreadable)" : ""}`);
  }
  notes.push(...smi.notes);
  if (shm.note !== void 0) {
    notes.push(shm.note);
  }
  if (interruptible.note !== void 0) {
    notes.push(interruptible.note);
  }
  const report = {
    cpus,
    memoryBytes,
    gpus: smi.gpus.map(({ name, memoryBytes: memoryBytes2 }) => ({ name, memoryBytes: memoryBytes2 })),
    interruptible: interruptible.value,
    gpuDetails: smi.gpus,
    notes,
    sources: { cpus: cpuSource, memory: memorySource, gpus: smi.source }
  };
  if (shm.bytes !== void 0) {
    report.shmSizeBytes = shm.bytes;
  }
  if ("failure" in smi && smi.failure !== void 0) {
    report.warnings = [`${smi.failure}; continuing without GPUs`];
    report.notes.push(`no GPUs: ${smi.failure}`);
  }
  return options.runnerShare === true ? applyRunnerShare(report, env) : report;
}

// ../../packages/host/lib/gpu-locks.js
import { readdirSync as readdirSync3, readFileSync as readFileSync8 } from "node:fs";
import { join as join8 } from "node:path";

// ../../packages/host/lib/lock-dir.js
import { closeSync, fsyncSync, mkdirSync as mkdirSync2, openSync, readFileSync as readFileSync7, renameSync as renameSync2, unlinkSync, writeSync } from "node:fs";
import { isAbsolute, join as join7 } from "node:path";
import { setTimeout as sleep2 } from "node:timers/promises";

// ../../packages/host/lib/proc.js
import { readFileSync as readFileSync6 } from "node:fs";
import { join as join6 } from "node:path";
function readProcStat(pid, procRoot = "/proc") {
  let text;
  try {
    text = readFileSync6(join6(procRoot, String(pid), "stat"), "utf8");
  } catch {
    return void 0;
  }
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) {
    return void 0;
  }
  const rest = text.slice(close + 1).trim().split(/\s+/);
  const ppid = Number(rest[1]);
  const pgrp = Number(rest[2]);
  const starttime = Number(rest[19]);
  if (!Number.isInteger(ppid) || !Number.isInteger(pgrp) || !Number.isFinite(starttime)) {
    return void 0;
  }
  return { comm: text.slice(open + 1, close), state: rest[0] ?? "", ppid, pgrp, starttime };
}
function isProcessAlive(pid, pidStart) {
  if (!Number.isInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
  } catch (error2) {
    if (error2.code !== "EPERM") {
      return false;
    }
  }
  const stat4 = readProcStat(pid);
  if (stat4 === void 0) {
    return true;
  }
  if (stat4.state === "Z" || stat4.state === "X") {
    return false;
  }
  return pidStart === void 0 || stat4.starttime === pidStart;
}

// ../../packages/host/lib/lock-dir.js
var LOCK_DIR_ENV = "DSTACK_LOCK_DIR";
var DEFAULT_LOCK_DIR = "/var/lock/dstack";
var MUTEX_TIMEOUT_MS = 1e4;
var MUTEX = ".mutex";
var LockError = class extends Error {
  name = "LockError";
  /** See {@link LockErrorCode}. */
  code;
  /**
   * @param code - see {@link LockErrorCode}.
   * @param message - one line: what, which GPU or path, who holds it, what to do.
   * @param options - `cause`, when there is one.
   */
  constructor(code, message, options) {
    super(message, options);
    this.code = code;
  }
};
function lockDirFromEnv(env) {
  const raw = env[LOCK_DIR_ENV];
  if (raw === void 0 || raw.trim() === "") {
    return DEFAULT_LOCK_DIR;
  }
  if (!isAbsolute(raw)) {
    throw new LockError("lock-dir", `${LOCK_DIR_ENV}: ${JSON.stringify(raw)} is not an absolute path; use e.g. ${DEFAULT_LOCK_DIR}`);
  }
  return raw;
}
function errno(error2) {
  return error2.code ?? String(error2);
}
function lockDirFix(lockDir) {
  return `create it for every runner user (e.g. sudo install -d -m 0755 -o <runner user> ${lockDir}) or set ${LOCK_DIR_ENV} to a folder they can write`;
}
function ensureLockDir(lockDir) {
  if (!isAbsolute(lockDir)) {
    throw new LockError("lock-dir", `lock dir ${JSON.stringify(lockDir)} is not an absolute path`);
  }
  try {
    mkdirSync2(lockDir, { recursive: true, mode: 493 });
  } catch (error2) {
    throw new LockError("lock-dir", `cannot create lock dir ${lockDir} (${errno(error2)}); ${lockDirFix(lockDir)}`, { cause: error2 });
  }
}
function writeNewFile(path12, content) {
  const fd = openSync(path12, "wx", 420);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
function removeIfExists(path12) {
  try {
    unlinkSync(path12);
  } catch (error2) {
    if (errno(error2) !== "ENOENT") {
      throw error2;
    }
  }
}
async function withMutex(lockDir, timeoutMs, body) {
  ensureLockDir(lockDir);
  const path12 = join7(lockDir, MUTEX);
  const started = Date.now();
  for (; ; ) {
    try {
      writeNewFile(path12, `${JSON.stringify({ pid: process.pid, since: (/* @__PURE__ */ new Date()).toISOString() })}
`);
      break;
    } catch (error2) {
      const code = errno(error2);
      if (code !== "EEXIST") {
        throw new LockError("lock-dir", `cannot write in lock dir ${lockDir} (${code}); ${lockDirFix(lockDir)}`, { cause: error2 });
      }
    }
    let holder;
    try {
      holder = JSON.parse(readFileSync7(path12, "utf8")).pid;
    } catch {
      holder = void 0;
    }
    const waited = Date.now() - started;
    const dead = holder !== void 0 && !isProcessAlive(holder);
    if (dead || holder === void 0 && waited >= timeoutMs) {
      const aside = `${path12}.stale-${process.pid}-${Date.now()}`;
      try {
        renameSync2(path12, aside);
        unlinkSync(aside);
      } catch {
      }
      continue;
    }
    if (waited >= timeoutMs) {
      throw new LockError("mutex", `${path12} has been held by pid ${holder} for more than ${timeoutMs / 1e3}s; if that process is stuck, end it`);
    }
    await sleep2(20);
  }
  try {
    return body();
  } finally {
    removeIfExists(path12);
  }
}

// ../../packages/host/lib/gpu-locks.js
var LOCK_FILE = /^gpu-(.+)\.lock$/;
var SAFE_UUID = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
function lockPath(lockDir, uuid) {
  if (!SAFE_UUID.test(uuid)) {
    throw new LockError("lock-dir", `GPU UUID ${JSON.stringify(uuid)} cannot name a lock file (letters, digits and - only)`);
  }
  return join8(lockDir, `gpu-${uuid}.lock`);
}
function parseLock(text) {
  try {
    const value = JSON.parse(text);
    if (typeof value === "object" && value !== null && typeof value.pid === "number" && typeof value.runner === "string") {
      const lock = {
        gpu: typeof value.gpu === "string" ? value.gpu : "",
        pid: value.pid,
        runner: value.runner,
        job: typeof value.job === "string" ? value.job : "",
        since: typeof value.since === "string" ? value.since : ""
      };
      if (typeof value.pidStart === "number") {
        lock.pidStart = value.pidStart;
      }
      return lock;
    }
  } catch {
  }
  return void 0;
}
function readLockFile(path12) {
  let text;
  try {
    text = readFileSync8(path12, "utf8");
  } catch (error2) {
    if (errno(error2) === "ENOENT") {
      return { kind: "none" };
    }
    throw new LockError("lock-dir", `cannot read lock ${path12} (${errno(error2)})`, {
      cause: error2
    });
  }
  const lock = parseLock(text);
  return lock === void 0 ? { kind: "corrupt", text } : { kind: "lock", lock };
}
function listLocks(lockDir) {
  let names;
  try {
    names = readdirSync3(lockDir).sort();
  } catch (error2) {
    if (errno(error2) === "ENOENT") {
      return [];
    }
    throw new LockError("lock-dir", `cannot list lock dir ${lockDir} (${errno(error2)})`, {
      cause: error2
    });
  }
  const out = [];
  for (const name of names) {
    const uuid = LOCK_FILE.exec(name)?.[1];
    if (uuid === void 0 || !SAFE_UUID.test(uuid)) {
      continue;
    }
    const read = readLockFile(join8(lockDir, name));
    if (read.kind !== "none") {
      out.push({ uuid, lock: read.kind === "corrupt" ? "corrupt" : read.lock });
    }
  }
  return out;
}
function describeHolder(lock) {
  const parts = [`pid ${lock.pid}`];
  if (lock.job !== "") {
    parts.push(`job ${lock.job}`);
  }
  if (lock.since !== "") {
    parts.push(`since ${lock.since}`);
  }
  return `runner ${JSON.stringify(lock.runner)} (${parts.join(", ")})`;
}
async function releaseLocks(options) {
  const { lockDir, runner, ownerPid } = options;
  const result = { released: [], kept: [] };
  const candidates = options.uuids === void 0 ? listLocks(lockDir).flatMap(({ uuid, lock }) => lock !== "corrupt" && lock.runner === runner ? [uuid] : []) : [...options.uuids];
  if (candidates.length === 0) {
    return result;
  }
  return withMutex(lockDir, options.mutexTimeoutMs ?? MUTEX_TIMEOUT_MS, () => {
    for (const uuid of candidates) {
      const path12 = lockPath(lockDir, uuid);
      const read = readLockFile(path12);
      if (read.kind !== "lock") {
        continue;
      }
      const { lock } = read;
      const ours = lock.runner === runner && (ownerPid === void 0 || lock.pid === ownerPid || !isProcessAlive(lock.pid, lock.pidStart));
      if (!ours) {
        result.kept.push({ uuid, lock });
        continue;
      }
      removeIfExists(path12);
      result.released.push(uuid);
    }
    return result;
  });
}
async function acquireFreeGpus(options) {
  const { lockDir, candidates, count: count2, runner, job, ownerPid } = options;
  const now = options.now ?? (() => /* @__PURE__ */ new Date());
  const pidStart = readProcStat(ownerPid)?.starttime;
  return withMutex(lockDir, options.mutexTimeoutMs ?? MUTEX_TIMEOUT_MS, () => {
    const result = { locked: [], paths: [], notes: [] };
    const busy = [];
    const notes = [];
    const free = [];
    for (const uuid of candidates) {
      if (free.length === count2) {
        break;
      }
      const read = readLockFile(lockPath(lockDir, uuid));
      if (read.kind === "lock" && isProcessAlive(read.lock.pid, read.lock.pidStart)) {
        busy.push(`GPU ${uuid} is locked by ${describeHolder(read.lock)}`);
        continue;
      }
      if (read.kind === "lock") {
        notes.push(`took over the stale lock of GPU ${uuid}: ${describeHolder(read.lock)} is not running`);
      } else if (read.kind === "corrupt") {
        notes.push(`took over the unreadable lock of GPU ${uuid}: its writer died`);
      }
      free.push(uuid);
    }
    if (free.length < count2) {
      throw new LockError("held", `${count2} GPU${count2 === 1 ? "" : "s"} asked, ${free.length} free of ${candidates.length}: ${busy.join("; ")}; wait for those jobs to end`);
    }
    const created = [];
    try {
      for (const uuid of free) {
        const path12 = lockPath(lockDir, uuid);
        removeIfExists(path12);
        writeLock(lockDir, path12, {
          gpu: uuid,
          pid: ownerPid,
          ...pidStart === void 0 ? {} : { pidStart },
          runner,
          job,
          since: now().toISOString()
        });
        created.push(path12);
        result.locked.push(uuid);
        result.paths.push(path12);
      }
    } catch (error2) {
      removeCreated(created);
      throw error2;
    }
    result.notes.push(...notes);
    return result;
  });
}
function writeLock(lockDir, path12, lock) {
  try {
    writeNewFile(path12, `${JSON.stringify(lock)}
`);
  } catch (error2) {
    throw new LockError("lock-dir", `cannot create lock ${path12} (${errno(error2)}); ${lockDirFix(lockDir)}`, { cause: error2 });
  }
}
function removeCreated(paths) {
  for (const path12 of paths) {
    try {
      removeIfExists(path12);
    } catch {
    }
  }
}

// ../../packages/executor/lib/local-gpus.js
import { join as join9 } from "node:path";
var LOCAL_RUNNER = "dstack-local";
function fits(gpu, request, host) {
  const one = { ...request, count: 1 };
  return hostSatisfies({ gpu: one, interruptible: true }, { cpus: host.cpus, memoryBytes: host.memoryBytes, gpus: [gpu], interruptible: false }).length === 0;
}
async function takeLocalGpus(options) {
  const { request, host, env, home, runName } = options;
  const count2 = request.count ?? 1;
  const candidates = [...host.gpuDetails].sort((a2, b) => a2.index - b.index).filter((g) => fits(g, request, host));
  if (host.gpuDetails.length === 0 || count2 < 1) {
    return void 0;
  }
  const ownerPid = options.ownerPid ?? process.pid;
  const notes = [];
  const take = (lockDir2) => acquireFreeGpus({
    lockDir: lockDir2,
    candidates: candidates.map((g) => g.uuid),
    count: count2,
    runner: LOCAL_RUNNER,
    job: runName,
    ownerPid
  });
  let lockDir = lockDirFromEnv(env);
  let taken;
  try {
    taken = await take(lockDir);
  } catch (error2) {
    const given = env[LOCK_DIR_ENV] !== void 0 && env[LOCK_DIR_ENV] !== "";
    if (!(error2 instanceof LockError && error2.code === "lock-dir") || given)
      throw error2;
    notes.push(`warning: the host's GPU lock dir ${lockDir} cannot be written (${error2.message}); GPU locks go to ${join9(home, "locks")}, which keeps this user's local runs apart but not runner jobs`);
    lockDir = join9(home, "locks");
    taken = await take(lockDir);
  }
  const ours = new Set(taken.locked);
  const gpus = candidates.filter((g) => ours.has(g.uuid));
  notes.push(`GPUs ${gpus.map((g) => `${g.index} (${g.uuid})`).join(", ")} locked for this run in ${lockDir}`, ...taken.notes.map((n2) => `note: ${n2}`));
  return {
    gpus,
    env: gpuJobEnv(gpus),
    notes,
    release: async () => {
      await releaseLocks({ lockDir, uuids: taken.locked, runner: LOCAL_RUNNER, ownerPid });
    }
  };
}

// ../../packages/executor/lib/supervision.js
function processStartTime(pid) {
  const stat4 = readProcStat(pid);
  return stat4 === void 0 ? void 0 : String(stat4.starttime);
}
function processRef(pid) {
  const startTime = processStartTime(pid);
  return startTime !== void 0 ? { pid, startTime } : { pid };
}

// ../../packages/executor/lib/venv.js
var import_proper_lockfile = __toESM(require_proper_lockfile(), 1);
import { createHash } from "node:crypto";
import { existsSync as existsSync3, mkdirSync as mkdirSync3, rmSync, utimesSync, writeFileSync as writeFileSync3 } from "node:fs";
import { join as join10 } from "node:path";
var READY_MARKER = ".dstack-ready";
var VENV_INFO = ".dstack-venv.json";
var TRUSTED_VENVS = "venvs";
var UNTRUSTED_VENVS = "venvs-untrusted";
function venvsDir(home, untrusted) {
  return join10(home, untrusted ? UNTRUSTED_VENVS : TRUSTED_VENVS);
}
var VenvError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "VenvError";
  }
};
function venvKey(interpreter, requirementsText) {
  return createHash("sha256").update(JSON.stringify([interpreter.path, interpreter.version, requirementsText])).digest("hex").slice(0, 16);
}
function markUsed(dir) {
  try {
    const now = /* @__PURE__ */ new Date();
    utimesSync(join10(dir, READY_MARKER), now, now);
  } catch {
  }
  return true;
}
async function ensureVenv(options) {
  const { home, interpreter, requirements, onLine } = options;
  const venvs = venvsDir(home, options.untrusted === true);
  const dir = join10(venvs, venvKey(interpreter, requirements.text));
  const python = join10(dir, "bin", "python");
  if (existsSync3(join10(dir, READY_MARKER)))
    return { dir, python, reused: markUsed(dir) };
  mkdirSync3(venvs, { recursive: true });
  const lockOptions = { realpath: false, lockfilePath: `${dir}.lock` };
  if (await import_proper_lockfile.default.check(dir, lockOptions).catch(() => false)) {
    options.onWait?.(dir);
  }
  let release;
  try {
    release = await import_proper_lockfile.default.lock(dir, {
      realpath: false,
      lockfilePath: `${dir}.lock`,
      retries: { retries: 600, factor: 1, minTimeout: 1e3, maxTimeout: 1e3 }
    });
  } catch (e) {
    throw new VenvError(`cannot lock ${dir}.lock: ${e.message}`);
  }
  try {
    if (existsSync3(join10(dir, READY_MARKER)))
      return { dir, python, reused: markUsed(dir) };
    rmSync(dir, { recursive: true, force: true });
    const run = async (file, args, what) => {
      const end = await runSupervised({
        file,
        args,
        cwd: options.cwd,
        env: { ...options.env, PIP_DISABLE_PIP_VERSION_CHECK: "1", PYTHONUNBUFFERED: "1" },
        onLine
      });
      if (end.exitCode !== 0) {
        throw new VenvError(`${what} failed (${explainExit(end)}); its output is above`);
      }
    };
    await run(interpreter.path, ["-m", "venv", dir], `python -m venv ${dir}`);
    await run(python, ["-m", "pip", "install", "--requirement", requirements.path], `pip install -r ${requirements.path}`);
    writeFileSync3(join10(dir, VENV_INFO), `${JSON.stringify({
      interpreter: { path: interpreter.path, version: interpreter.version },
      requirementsSha256: createHash("sha256").update(requirements.text).digest("hex")
    })}
`);
    writeFileSync3(join10(dir, READY_MARKER), `${(/* @__PURE__ */ new Date()).toISOString()}
`);
    return { dir, python, reused: false };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  } finally {
    await release();
  }
}

// ../../packages/executor/lib/working-copy.js
import { constants as constants8, existsSync as existsSync4 } from "node:fs";
import * as fsp5 from "node:fs/promises";
import path11 from "node:path";
async function gitFiles(dir, env) {
  let at = dir;
  while (!existsSync4(path11.join(at, ".git"))) {
    const parent = path11.dirname(at);
    if (parent === at)
      return void 0;
    at = parent;
  }
  const r = await execa("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."], { cwd: dir, env, extendEnv: false, reject: false, stdin: "ignore", stripFinalNewline: false });
  if (r.failed || r.exitCode !== 0 || typeof r.stdout !== "string")
    return void 0;
  return [...new Set(r.stdout.split("\0").filter((p) => p !== ""))];
}
async function allFiles(dir) {
  const out = [];
  const walk = async (abs, rel) => {
    for (const d of await fsp5.readdir(abs, { withFileTypes: true })) {
      if (d.name === ".git")
        continue;
      const childRel = rel === "" ? d.name : `${rel}/${d.name}`;
      if (d.isDirectory())
        await walk(path11.join(abs, d.name), childRel);
      else if (d.isFile() || d.isSymbolicLink())
        out.push(childRel);
    }
  };
  await walk(dir, "");
  return out;
}
async function makeWorkingCopy(options) {
  const listed = await gitFiles(options.from, options.env);
  const files = listed ?? await allFiles(options.from);
  await fsp5.mkdir(options.to, { recursive: true });
  const made = /* @__PURE__ */ new Set();
  let count2 = 0;
  let bytes = 0;
  const limit = 16;
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const rel = files[next++];
      const src = path11.join(options.from, rel);
      const st = await fsp5.lstat(src).catch(() => void 0);
      if (st === void 0 || !(st.isFile() || st.isSymbolicLink()))
        continue;
      const dest = path11.join(options.to, rel);
      const parent = path11.dirname(dest);
      if (!made.has(parent)) {
        await fsp5.mkdir(parent, { recursive: true });
        made.add(parent);
      }
      if (st.isSymbolicLink()) {
        await fsp5.symlink(await fsp5.readlink(src), dest);
      } else {
        await fsp5.copyFile(src, dest, constants8.COPYFILE_FICLONE);
        bytes += st.size;
      }
      count2++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, files.length) }, worker));
  return {
    dir: options.to,
    selection: listed === void 0 ? "all" : "git",
    files: count2,
    bytes
  };
}

// ../../packages/executor/lib/run-job.js
var PhaseError = class extends Error {
  /** How the failing process ended (`before_run`), when one ran. */
  end;
};
async function runJob(options) {
  const { store, runName, out } = options;
  const record = await store.getRun(runName);
  if (!record.job) {
    throw new Error(`${runName} holds uploaded artifacts, not a job to run`);
  }
  const job = record.job;
  let repoDir = record.repoDir;
  let copy;
  const temps = [];
  const log = createWriteStream2(store.logPath(runName), { flags: "a" });
  const stamp = (text) => log.write(`${(/* @__PURE__ */ new Date()).toISOString()} ${text}
`);
  const info = (text) => {
    stamp(`[dstack] ${text}`);
    out.info(text);
  };
  const line = (text) => {
    stamp(text);
    out.line(text);
  };
  const phases = [];
  let phaseStart = Date.now();
  const closePhase = () => {
    const last = phases.at(-1);
    if (last && last.ms < 0)
      last.ms = Date.now() - phaseStart;
  };
  const phase = (p, title) => {
    closePhase();
    phaseStart = Date.now();
    phases.push({ phase: p, title, ms: -1 });
    stamp(`[dstack] == ${title}`);
    out.phase(p, title);
  };
  let host;
  let localGpus;
  let interpreterFound;
  const stopped = () => options.stop?.aborted === true;
  const untrusted = options.untrusted === true;
  const secrets = options.secrets ? { secrets: options.secrets } : {};
  const callerEnv = jobEnvironment({ parent: options.env, ...secrets });
  const baseEnv = jobEnvironment({ parent: options.env, job: job.environment, ...secrets });
  const copyTo = options.workingCopy ? join11(store.runDir(runName), "dstack-work") : void 0;
  if (copyTo !== void 0)
    temps.push(copyTo);
  await store.updateRun(runName, {
    status: "running",
    startedAt: (/* @__PURE__ */ new Date()).toISOString(),
    pid: process.pid,
    supervisor: processRef(process.pid),
    ...temps.length > 0 ? { tempDirs: [...temps] } : {}
  });
  const recording = [];
  const recordGroup = (pid) => {
    recording.push(store.updateRun(runName, { jobGroup: processRef(pid) }).catch(() => void 0));
  };
  let end;
  let result;
  let bridge;
  try {
    phase("host", "Checking this host");
    host = options.host ?? await readHostFacts({
      env: options.env,
      runnerShare: true,
      gpuFailure: job.resources.gpu === void 0 ? "warn" : "throw"
    });
    info(formatHostFacts(host));
    for (const warning of host.warnings ?? [])
      info(`warning: ${warning}`);
    const check = checkResources(job.resources, host);
    if (!check.ok)
      throw new PhaseError(`this host cannot run the job: ${check.message}`);
    if (job.resources.gpu !== void 0 && options.env.GITHUB_ACTIONS !== "true") {
      localGpus = await takeLocalGpus({
        request: job.resources.gpu,
        host,
        env: options.env,
        home: options.home,
        runName
      }).catch((e) => {
        throw new PhaseError(`this host cannot run the job now: ${e.message}`);
      });
      if (localGpus) {
        for (const note of localGpus.notes)
          info(note);
        Object.assign(callerEnv, localGpus.env);
        Object.assign(baseEnv, localGpus.env);
      }
    }
    if (copyTo !== void 0) {
      copy = await makeWorkingCopy({ from: record.repoDir, to: copyTo, env: options.env });
      info(`working copy: ${formatCount(copy.files, "file")} (${copy.selection === "git" ? "tracked, and untracked that git does not ignore" : "not a git work tree: every file"}), the run's own; only its artifacts are kept`);
      repoDir = copy.dir;
    }
    const notCopied = copy?.selection === "git" ? " of the run's working copy (git ignores it? a run sees tracked files and untracked ones that git does not ignore)" : "";
    const workDir = resolve2(repoDir, job.workingDir);
    if (!existsSync5(workDir)) {
      throw new PhaseError(`working_dir: ${job.workingDir} does not exist${notCopied}`);
    }
    const file = join11(workDir, job.file);
    if (!existsSync5(file)) {
      throw new PhaseError(`file: ${job.file} does not exist in ${job.workingDir}${notCopied}`);
    }
    if (job.deps.length > 0) {
      phase("deps", "Placing the artifacts of deps");
      for (const [i2, dep] of job.deps.entries()) {
        const field = `deps[${i2}].${"run" in dep ? "run" : "tag" in dep ? "tag" : "workflow"}`;
        const named = (e) => {
          if (e instanceof PhaseError)
            throw e;
          throw new PhaseError(`${field}: ${e instanceof Error ? e.message : String(e)}`);
        };
        if (options.remote) {
          if ("workflow" in dep) {
            throw new PhaseError(`deps: workflow ${dep.workflow}: on a runner, deps name a tag (deps: - tag: NAME), since the GitHub store finds runs by tag; tag the runs of ${dep.workflow} (the tag input of dstack/run-python) and name that tag`);
          }
          const ref = "run" in dep ? { run: dep.run } : { tag: dep.tag };
          const got = await options.remote.downloadArtifacts(ref, { localPath: repoDir }).catch(named);
          info(`${"run" in dep ? `run ${dep.run}` : `tag ${dep.tag}`}: artifacts of ${got.runName} placed in the repository`);
          continue;
        }
        const source = "run" in dep ? dep.run : "tag" in dep ? await store.getTag(dep.tag).then((t) => t.runName).catch(named) : await store.latestSuccessfulRun(dep.workflow).then((r) => {
          if (!r) {
            throw new PhaseError(`deps: workflow ${dep.workflow} has no successful run yet; run it first: dstack run ${dep.workflow}`);
          }
          return r.runName;
        });
        await store.downloadArtifacts({ run: source }, { artifactPath: "", localPath: repoDir }).catch(named);
        info(`${"run" in dep ? `run ${dep.run}` : "tag" in dep ? `tag ${dep.tag}` : `workflow ${dep.workflow}`}: artifacts of ${source} placed in the repository`);
      }
    }
    phase("python", "Finding Python");
    const interpreter = await findInterpreter({
      ...job.version !== void 0 ? { version: job.version } : {},
      env: callerEnv,
      // An untrusted run's probe answers are not kept: they would steer later trusted runs.
      ...untrusted ? {} : { cacheDir: options.home },
      cwd: workDir
    });
    interpreterFound = { version: interpreter.version, path: interpreter.path };
    info(`Python ${interpreter.version} (${interpreter.path}, from ${interpreter.source})${job.version === void 0 ? "; no version: asked, so the host's python3" : ""}`);
    let python = interpreter.path;
    const pathPrefix = [];
    const venvEnv = {};
    if (job.requirements !== void 0) {
      phase("venv", "Preparing the environment");
      const reqPath = join11(workDir, job.requirements);
      if (!existsSync5(reqPath)) {
        throw new PhaseError(`requirements: ${job.requirements} does not exist in ${job.workingDir}`);
      }
      const venv = await ensureVenv({
        home: options.home,
        interpreter,
        requirements: { path: reqPath, text: readFileSync9(reqPath, "utf8") },
        cwd: workDir,
        env: callerEnv,
        untrusted,
        onLine: line,
        onWait: (dir) => info(`waiting for the venv another run is building (${dir})`)
      });
      info(`${venv.reused ? "reused" : "created"} venv ${venv.dir}`);
      python = venv.python;
      pathPrefix.push(join11(venv.dir, "bin"));
      venvEnv.VIRTUAL_ENV = venv.dir;
    }
    if (stopped())
      throw new PhaseError("stopped before the job started");
    bridge = await startArtifactsBridge({
      store,
      runName,
      onTag: ({ tag, run, previous }) => info(previous !== void 0 && previous !== run ? `the job moved tag ${tag} from ${previous} to ${run}` : `the job pointed tag ${tag} at ${run}`),
      ...options.remote ? { remote: options.remote } : {}
    });
    temps.push(dirname3(bridge.socketPath));
    await store.updateRun(runName, { tempDirs: [...temps] });
    const env = {
      ...baseEnv,
      // The dstack module is imported from this package's folder: no __pycache__ written there.
      ...Object.hasOwn(job.environment, "PYTHONDONTWRITEBYTECODE") ? {} : { PYTHONDONTWRITEBYTECODE: "1" },
      ...venvEnv,
      // The job reaches its artifacts through this socket; the credentials stay in this process.
      ...bridge.env,
      PATH: [...pathPrefix, options.env.PATH ?? ""].filter(Boolean).join(delimiter2),
      PYTHONPATH: [PYTHON_PATH, baseEnv.PYTHONPATH].filter(Boolean).join(delimiter2),
      PYTHONUNBUFFERED: "1",
      DSTACK_RUN_NAME: runName,
      DSTACK_REPO_DIR: repoDir,
      ...job.workflow ? { DSTACK_WORKFLOW: job.workflow } : {}
    };
    if (job.beforeRun.length > 0) {
      phase("before_run", "Running before_run");
      const b = await runSupervised({
        file: "bash",
        args: ["-e", "-c", job.beforeRun.join("\n")],
        cwd: workDir,
        env,
        onLine: line,
        onStart: recordGroup,
        ...options.stop ? { stop: options.stop } : {},
        ...options.graceMs !== void 0 ? { graceMs: options.graceMs } : {}
      });
      if (b.stopped)
        throw new PhaseError(`stopped during before_run (${explainExit(b)})`);
      if (b.exitCode !== 0) {
        const failed = new PhaseError(`before_run failed: ${explainExit(b)}`);
        failed.end = b;
        throw failed;
      }
    }
    phase("run", `Running python ${job.file}`);
    end = await runSupervised({
      file: python,
      args: [job.file, ...job.args],
      cwd: workDir,
      env,
      onLine: line,
      onStart: recordGroup,
      ...options.stop ? { stop: options.stop } : {},
      ...options.graceMs !== void 0 ? { graceMs: options.graceMs } : {}
    });
    const message = explainExit(end);
    result = {
      status: end.stopped ? "stopped" : end.exitCode === 0 ? "done" : "failed",
      ...end.exitCode !== void 0 ? { exitCode: end.exitCode } : {},
      ...end.signal !== void 0 ? { signal: end.signal } : {},
      message,
      phases
    };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const failedEnd = e instanceof PhaseError ? e.end : void 0;
    result = {
      status: stopped() ? "stopped" : "failed",
      ...failedEnd?.exitCode !== void 0 ? { exitCode: failedEnd.exitCode } : {},
      ...failedEnd?.signal !== void 0 ? { signal: failedEnd.signal } : {},
      message,
      phases
    };
  } finally {
    await bridge?.close();
    await Promise.all(recording);
    await localGpus?.release().catch((e) => {
      info(`warning: could not release the run's GPU locks: ${e.message}`);
    });
  }
  if (end && job.artifacts.length > 0) {
    await store.updateRun(runName, { status: "uploading" });
    phase("artifacts", "Saving artifacts");
    try {
      const saved = await store.saveArtifacts(runName, { repoDir, paths: job.artifacts });
      for (const a2 of saved.saved) {
        info(`saved ${a2.path}: ${formatCount(a2.files, "file")}, ${formatSize(a2.bytes)}`);
      }
      for (const m of saved.missing)
        info(`artifacts: ${m} does not exist; nothing saved for it`);
      if (saved.refused.length > 0) {
        const n2 = saved.refused.length;
        info(`warning: artifacts: left out ${n2 === 1 ? "a symbolic link" : `${n2} symbolic links`} leading out of the repository: ${saved.refused.join(", ")}; copy what ${n2 === 1 ? "it points" : "they point"} at into the repository to keep it`);
      }
    } catch (e) {
      info(`artifacts: ${e.message}`);
      if (result.status === "done") {
        result = { status: "failed", message: e.message, phases };
      }
    }
  }
  if (copy)
    await rm5(copy.dir, { recursive: true, force: true }).catch(() => void 0);
  if (options.tag !== void 0 && result.status === "done") {
    try {
      const { previous } = await store.setTag(options.tag, runName);
      info(previous !== void 0 && previous !== runName ? `tag ${options.tag} moved from ${previous} to ${runName}` : `tag ${options.tag} -> ${runName}`);
    } catch (e) {
      const message = `the job succeeded, but tag ${options.tag} could not be set: ${e.message}`;
      result = { ...result, status: "failed", message };
    }
  }
  closePhase();
  if (host)
    result.host = host;
  if (interpreterFound)
    result.python = interpreterFound;
  info(`${result.status}: ${result.message}`);
  await store.updateRun(runName, {
    status: result.status,
    finishedAt: (/* @__PURE__ */ new Date()).toISOString(),
    message: result.message,
    ...result.exitCode !== void 0 ? { exitCode: result.exitCode } : {},
    ...result.signal !== void 0 ? { signal: result.signal } : {},
    pid: void 0,
    jobGroup: void 0,
    tempDirs: void 0
  });
  await new Promise((done) => log.end(done));
  return result;
}

// ../../packages/executor/lib/venv-cache.js
var import_proper_lockfile2 = __toESM(require_proper_lockfile(), 1);

// lib/job.js
var INLINE_INPUTS = {
  file: "file",
  args: "args",
  requirements: "requirements",
  "python-version": "version",
  env: "environment",
  artifacts: "artifacts",
  "working-directory": "working_dir",
  "before-run": "before_run",
  cpu: "resources.cpu",
  memory: "resources.memory",
  gpu: "resources.gpu.count",
  "gpu-name": "resources.gpu.name",
  "gpu-memory": "resources.gpu.memory",
  "shm-size": "resources.shm_size",
  interruptible: "resources.interruptible"
};
function error(source, field, message) {
  return { severity: "error", source, field, message };
}
function inlineWorkflow(values) {
  const count2 = (s) => /^\d+$/.test(s) ? Number(s) : s;
  const lines = (s) => s.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const raw = { name: "python", provider: "python" };
  const resources = {};
  const gpu = {};
  for (const [input, value] of Object.entries(values)) {
    if (value === "")
      continue;
    switch (input) {
      case "file":
      case "args":
      case "requirements":
        raw[input] = value;
        break;
      case "python-version":
        raw.version = value;
        break;
      case "working-directory":
        raw.working_dir = value;
        break;
      case "artifacts":
        raw.artifacts = lines(value);
        break;
      case "before-run":
        raw.before_run = lines(value);
        break;
      case "env":
        raw.environment = lines(value);
        break;
      case "cpu":
        resources.cpu = count2(value);
        break;
      case "memory":
        resources.memory = value;
        break;
      case "shm-size":
        resources.shm_size = value;
        break;
      case "interruptible":
        resources.interruptible = value === "true" ? true : value === "false" ? false : value;
        break;
      case "gpu":
        gpu.count = count2(value);
        break;
      case "gpu-name":
        gpu.name = value;
        break;
      case "gpu-memory":
        gpu.memory = value;
        break;
    }
  }
  if (Object.keys(gpu).length > 0)
    resources.gpu = gpu;
  if (Object.keys(resources).length > 0)
    raw.resources = resources;
  return raw;
}
function resolveJob(source) {
  if (source.kind === "job") {
    let raw;
    try {
      raw = JSON.parse(source.json);
    } catch (e) {
      return {
        diagnostics: [
          error("job input", "job", `not JSON (${e.message}); pass the job output of a mode: plan step`)
        ]
      };
    }
    const r2 = validateWorkflow(raw, { locator: valueLocator("job input") });
    return r2.job && !r2.diagnostics.some((d) => d.severity === "error") ? { job: r2.job, diagnostics: r2.diagnostics } : { diagnostics: r2.diagnostics };
  }
  if (source.kind === "workflow") {
    let parsed;
    try {
      parsed = loadWorkflows(source.repoDir, source.repoDir);
    } catch (e) {
      if (!(e instanceof WorkflowsFileError))
        throw e;
      return {
        diagnostics: [
          error(WORKFLOWS_FILE, "workflow", `workflow ${JSON.stringify(source.name)}: ${e.message}; check out the repository first (actions/checkout), or give the job inline (file, ...)`)
        ]
      };
    }
    const found = findWorkflow(parsed.jobs, source.name);
    if ("error" in found) {
      const own = parsed.diagnostics.filter((d) => d.severity === "error");
      return {
        diagnostics: own.length > 0 ? own : [error(WORKFLOWS_FILE, "workflow", found.error)]
      };
    }
    return {
      job: found.job,
      diagnostics: parsed.diagnostics.filter((d) => d.severity !== "error")
    };
  }
  const byField = new Map(Object.entries(INLINE_INPUTS).map(([input, field]) => [field, input]));
  const locator = valueLocator("inputs", (field) => {
    const input = byField.get(field) ?? byField.get(field.replace(/\[\d+\]$/, ""));
    return input === void 0 ? void 0 : `${input} (${field})`;
  });
  const r = validateWorkflow(inlineWorkflow(source.values), { locator });
  if (!r.job || r.diagnostics.some((d) => d.severity === "error"))
    return { diagnostics: r.diagnostics };
  return { job: { ...r.job, workflow: null }, diagnostics: r.diagnostics };
}

// lib/planned-labels.js
var fold = (label) => label.toLowerCase();
function parsePlannedLabels(text) {
  if (text.trim() === "")
    return void 0;
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    value = void 0;
  }
  if (!Array.isArray(value) || value.length === 0 || !value.every((l) => typeof l === "string" && l !== "")) {
    throw new InputError(`runs-on: ${JSON.stringify(text.slice(0, 200))} is not a JSON array of runner labels; give what mode: plan outputs, e.g. ["self-hosted","dstack","gpu-count-ge-1"], or leave it empty`);
  }
  return value;
}
function checkPlannedLabels(job, planned, options) {
  const needed = jobLabels(job.resources, { untrusted: options.untrusted });
  if ("errors" in needed) {
    throw new InputError(`runs-on: no runner labels express this job's resources: ${needed.errors.map((e) => e.message).join("; ")}`);
  }
  const have = new Set(planned.map(fold));
  const missing = needed.labels.filter((l) => !have.has(fold(l)));
  if (missing.length === 0)
    return;
  const ephemeral = missing.some((l) => fold(l) === fold(EPHEMERAL_LABEL)) ? `; ${EPHEMERAL_LABEL} keeps untrusted code (not on the default branch) on ephemeral runners, which persistent runners never carry` : "";
  throw new InputError(`runs-on: the dispatcher planned ${JSON.stringify(planned)}, but this job needs ${JSON.stringify(needed.labels)}: missing ${missing.join(", ")}${ephemeral}; the job was not run (dispatch it again with dstack, which plans the labels from the job)`);
}

// lib/inputs.js
var Inputs = {
  Mode: "mode",
  Workflow: "workflow",
  Job: "job",
  Tag: "tag",
  RunName: "run-name",
  RetentionDays: "retention-days",
  GitHubToken: "github-token",
  Untrusted: "untrusted",
  PullRequest: "pull-request",
  RunsOn: "runs-on"
};
var MODES = ["run", "plan", "dispatch", "command"];
function getTrustInputs() {
  const untrusted = getInput(Inputs.Untrusted);
  if (!["", "true", "false"].includes(untrusted)) {
    throw new InputError(`untrusted: ${JSON.stringify(untrusted)} is not allowed; use true or false (the runner workflow passes its boolean input)`);
  }
  const pr = getInput(Inputs.PullRequest);
  if (pr !== "" && !/^[1-9]\d*$/.test(pr)) {
    throw new InputError(`pull-request: ${JSON.stringify(pr)} is not a pull request number; give the number (e.g. 42) or leave it empty`);
  }
  return { untrusted: untrusted === "true", ...pr !== "" ? { pullRequest: Number(pr) } : {} };
}
function getInputs() {
  const mode = getInput(Inputs.Mode) || "run";
  if (!MODES.includes(mode)) {
    throw new InputError(`mode: ${JSON.stringify(mode)} is not allowed; use one of ${MODES.join(", ")}`);
  }
  const token = getInput(Inputs.GitHubToken);
  if (token !== "")
    setSecret(token);
  const trust = getTrustInputs();
  if (mode === "command") {
    const tag2 = getInput(Inputs.Tag);
    return { mode, source: void 0, token, ...trust, ...tag2 !== "" ? { tag: tag2 } : {} };
  }
  const inline = {};
  for (const name of Object.keys(INLINE_INPUTS)) {
    const value = getInput(name);
    if (value !== "")
      inline[name] = value;
  }
  const job = getInput(Inputs.Job);
  const workflow = getInput(Inputs.Workflow);
  const given = [
    ...job !== "" ? ["job"] : [],
    ...workflow !== "" ? ["workflow"] : [],
    ...Object.keys(inline).filter((k) => k !== "working-directory")
  ];
  if (job !== "" && given.length > 1) {
    throw new InputError(`job: give the job alone; it replaces ${given.filter((g) => g !== "job").join(", ")}`);
  }
  if (workflow !== "" && given.length > 1) {
    throw new InputError(`workflow: ${JSON.stringify(workflow)} names a workflow of .dstack/workflows.yaml, so leave out the inline keys (${given.filter((g) => g !== "workflow").join(", ")}); put them in the workflow, or drop workflow and give the job inline`);
  }
  const repoDir = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const source = job !== "" ? { kind: "job", json: job } : workflow !== "" ? { kind: "workflow", name: workflow, repoDir } : { kind: "inline", values: inline };
  if (source.kind === "inline" && inline.file === void 0) {
    throw new InputError("workflow / file: say which job to run: a workflow of .dstack/workflows.yaml (workflow: train), the job output of a plan step (job), or a Python file (file: train.py)");
  }
  const tag = getInput(Inputs.Tag);
  const runName = getInput(Inputs.RunName);
  const retention = getInput(Inputs.RetentionDays);
  let retentionDays;
  if (retention !== "") {
    retentionDays = Number(retention);
    if (!/^\d+$/.test(retention) || retentionDays < 1) {
      throw new InputError(`retention-days: ${JSON.stringify(retention)} is not a number of days; use a whole number from 1 to the repository's limit (90 by default)`);
    }
  }
  const plannedLabels = parsePlannedLabels(getInput(Inputs.RunsOn));
  return {
    mode,
    source,
    token,
    ...trust,
    ...plannedLabels !== void 0 ? { plannedLabels } : {},
    ...tag !== "" ? { tag } : {},
    ...runName !== "" ? { runName } : {},
    ...retentionDays !== void 0 ? { retentionDays } : {}
  };
}

export {
  InputError,
  StoreError,
  ioError,
  settleLimited,
  FILE_ARTIFACT_PREFIX,
  DEFAULT_LARGE_FILE_BYTES,
  transferConcurrency,
  withStagedName,
  moveSingleFile,
  watchBytes,
  ARCHIVE_SUFFIXES,
  RUN_ARTIFACT_PREFIX,
  TAG_ARTIFACT_PREFIX,
  TAG_FILE,
  RUN_FILE,
  isValidName,
  checkArtifactPath,
  checkArtifactRunName,
  checkArtifactTag,
  encodeArtifactPath,
  dataArtifactName,
  archiveArtifactName,
  parseRunArtifactName,
  runArtifactName,
  tagArtifactName,
  pullRequestTag,
  pullRequestOfTag,
  checkPullRequest,
  tempName,
  scanTree,
  treeStats,
  mergeInto,
  LocalStore,
  formatHostFacts,
  runJob,
  readPolicyFile,
  WorkflowsFileError,
  loadWorkflows,
  resolveJob,
  checkPlannedLabels,
  Inputs,
  getInputs
};

import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);

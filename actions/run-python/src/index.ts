// The action's entry point (house style 1): only runs the step; runStep turns throws into failures.
import { runStep } from "./main.js";

await runStep();

// The action's entry point: it only runs the step (the logic is importable without running it); runStep turns throws into failures.
import { runStep } from "./main.js";

await runStep();

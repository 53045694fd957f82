/**
 * The error of a user mistake in the step's inputs, in a module of its own so that the input
 * readers and the modules they call (the planned labels) share it without an import cycle.
 *
 * @module
 */

/** A user mistake in the inputs; the message names the input. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

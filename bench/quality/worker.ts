import { simulate, type QualitySetup } from "./simulate.ts";

/** One simulation in a child process (`npm run bench:quality` runs several at once): the setup comes as a message, the result goes back. */
process.once("message", (setup: QualitySetup) => {
  void simulate(setup).then((result) => process.send!(result, () => process.exit(0)));
});

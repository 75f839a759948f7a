// Node: plays one match with the installed `arena-sdk` against the node at argv[2]; prints its end as JSON.
import * as sdk from "arena-sdk";
import { playOnce } from "./play-match.mjs";

console.log(JSON.stringify(await playOnce(sdk, process.argv[2])));

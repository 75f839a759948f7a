import { ArenaError, ErrorCode } from "../../protocol/index.ts";
import { KeyedBuckets } from "./rate-limit.ts";

/** Failed guesses a player may make at once, then one every two minutes. */
const PER_PLAYER = { burst: 5, perSecond: 1 / 120 };
/** Failed guesses an address may make at once (players behind one NAT share it), then 20 an hour. */
const PER_ADDRESS = { burst: 20, perSecond: 20 / 3600 };

/**
 * Private codes are short (6 of 31 characters): guessing one must cost more than a guest identity.
 * `private:join` with a code that does not exist counts against the player and against their
 * address; either out of failures refuses every join with RATE_LIMITED until it refills. A join
 * that finds its code costs nothing.
 */
export class CodeGuesses {
  private readonly players = new KeyedBuckets(PER_PLAYER);
  private readonly addresses = new KeyedBuckets(PER_ADDRESS);

  /** Throws RATE_LIMITED while the player or their address has no failed guess left. */
  check(game: string, playerId: string, address: string): void {
    if (this.players.get(`${game}|${playerId}`).has() && this.addresses.get(address).has()) return;
    throw new ArenaError(ErrorCode.RATE_LIMITED, "private:join: too many codes that do not exist; wait a few minutes");
  }

  /** A join whose code did not exist. */
  failed(game: string, playerId: string, address: string): void {
    this.players.get(`${game}|${playerId}`).take();
    this.addresses.get(address).take();
  }
}

import { randomInt, randomUUID } from "node:crypto";
import type { PlayerChannel } from "./player-channel.ts";
import type { Logger } from "pino";
import { ArenaError, ErrorCode, PRIVATE_CODE_ALPHABET, type LobbyPage, type PlayerId } from "../protocol/index.ts";
import { newMatchId } from "./matchmaker.ts";
import { finishedKey, type LobbyStore, type RatingStore } from "./store.ts";
import type { MatchRecord, Rated } from "./types.ts";

/** Who does something in the lobby. */
export interface LobbyActor {
  game: string;
  playerId: PlayerId;
  name: string;
}

export interface LobbyOptions {
  store: LobbyStore & Pick<RatingStore, "getRating">;
  channel: PlayerChannel;
  log: Logger;
  readyTimeoutMs: number;
  /** A player's rating when they have none in a mode. */
  initialRating: Rated;
  /** Tells both players of a match made here (`match:found`), as after a pairing. */
  announce: (match: MatchRecord) => Promise<void>;
  challengeMs?: number;
  codeMs?: number;
  rematchMs?: number;
  /** Whether a direct match (challenge, code, rematch) in a rated mode changes ratings (default false: all casual). */
  rankedDirect?: boolean;
}

interface ChallengeOffer {
  from: PlayerId;
  to: PlayerId;
  mode: string;
  expiresAt: number;
}

/** Offers outlive their deadline in the store a little, so that the expiry that reads them finds them. */
const OFFER_SLACK_MS = 10_000;

interface CodeOffer {
  owner: PlayerId;
  mode: string;
}

const challengeKey = (id: string) => `ch:${id}`;
const codeKey = (code: string) => `code:${code}`;
/** The live private code of a player (one per player per game). */
const ownCodeKey = (playerId: PlayerId) => `mycode:${playerId}`;

/**
 * The lobby of each game: who is online (paged, never pushed to everyone), lobby chat, direct
 * messages, and matches two players make without the queue: a challenge answered within 30 s, a
 * private code good for one friend for 10 minutes, a rematch both ask for within 30 s of the end.
 * Each ends in the usual ready check.
 */
export class Lobby {
  private readonly challengeMs: number;
  private readonly codeMs: number;
  private readonly rematchMs: number;
  private readonly expiries = new Set<NodeJS.Timeout>();

  constructor(private readonly options: LobbyOptions) {
    this.challengeMs = options.challengeMs ?? 30_000;
    this.codeMs = options.codeMs ?? 600_000;
    this.rematchMs = options.rematchMs ?? 30_000;
  }

  list(game: string, cursor: string | undefined, limit: number): Promise<LobbyPage> {
    return this.options.store.lobbyPage(game, cursor ?? "", limit);
  }

  /** A line to everyone online in the game. */
  chat(player: LobbyActor, text: string): void {
    this.options.channel.toGame(player.game, "lobby:chat", { from: player.playerId, name: player.name, text, at: Date.now() });
  }

  /** A line to one online player, and only to them. */
  async dm(player: LobbyActor, to: PlayerId, text: string): Promise<void> {
    if (to === player.playerId) throw new ArenaError(ErrorCode.BAD_REQUEST, "to: that is you");
    await this.online(player.game, to);
    this.options.channel.toPlayer(player.game, to, "dm", { from: player.playerId, name: player.name, text, at: Date.now() });
  }

  /** Challenges an online player who is free; they have `challengeMs` to answer. */
  async challenge(player: LobbyActor, to: PlayerId, mode: string): Promise<string> {
    const { game, playerId } = player;
    if (to === playerId) throw new ArenaError(ErrorCode.BAD_REQUEST, "to: you cannot challenge yourself");
    await this.free(game, playerId);
    await this.free(game, to, await this.online(game, to));
    const challengeId = `c_${randomUUID().replaceAll("-", "")}`;
    const expiresAt = Date.now() + this.challengeMs;
    const offer: ChallengeOffer = { from: playerId, to, mode, expiresAt };
    await this.options.store.putOffer(game, challengeKey(challengeId), JSON.stringify(offer), this.challengeMs + OFFER_SLACK_MS);
    const { rating } = await this.options.store.getRating(game, mode, playerId, this.options.initialRating);
    this.options.channel.toPlayer(game, to, "challenge", { challengeId, from: playerId, name: player.name, rating, mode, expiresAt });
    this.options.log.info({ game, playerId, to, challengeId, mode }, "challenge sent");
    const timer = setTimeout(() => {
      this.expiries.delete(timer);
      void this.expire(game, challengeId, playerId);
    }, this.challengeMs);
    timer.unref();
    this.expiries.add(timer);
    return challengeId;
  }

  /** The challenged player answers: a match (ready check) or a refusal the challenger is told of. */
  async answer(player: LobbyActor, challengeId: string, accept: boolean): Promise<void> {
    const { game, playerId } = player;
    const raw = await this.options.store.getOffer(game, challengeKey(challengeId));
    const offer = raw ? (JSON.parse(raw) as ChallengeOffer) : undefined;
    if (!offer || offer.to !== playerId || offer.expiresAt <= Date.now())
      throw new ArenaError(ErrorCode.UNKNOWN_CODE, "no such challenge for you, or it expired");
    if (!accept) {
      if (await this.options.store.dropOffer(game, challengeKey(challengeId))) {
        this.options.channel.toPlayer(game, offer.from, "challenge:declined", { challengeId });
        this.options.log.info({ game, playerId, from: offer.from, challengeId }, "challenge declined");
      }
      return;
    }
    await this.make(game, offer.mode, [offer.from, playerId], challengeKey(challengeId), "challenge accepted");
  }

  /**
   * A private code for one friend, good for `codeMs`. A player has one live code per game: a new
   * one replaces the last (which stops working), so codes cannot be piled up to be found by guessing.
   */
  async createCode(player: LobbyActor, mode: string): Promise<string> {
    const { game, playerId } = player;
    const { store } = this.options;
    await this.free(game, playerId);
    const previous = await store.getOffer(game, ownCodeKey(playerId));
    if (previous !== null) {
      await store.dropOffer(game, codeKey(previous));
      await store.dropOffer(game, ownCodeKey(playerId));
    }
    const offer: CodeOffer = { owner: playerId, mode };
    for (let attempt = 0; attempt < 10; attempt++) {
      const code = Array.from({ length: 6 }, () => PRIVATE_CODE_ALPHABET[randomInt(PRIVATE_CODE_ALPHABET.length)]).join("");
      if (await store.putOffer(game, codeKey(code), JSON.stringify(offer), this.codeMs)) {
        await store.putOffer(game, ownCodeKey(playerId), code, this.codeMs);
        this.options.log.info({ game, playerId, mode, replaced: previous !== null }, "private code created");
        return code;
      }
    }
    throw new ArenaError(ErrorCode.UNAVAILABLE, "could not find a free code; try again");
  }

  /** Joins a friend's private code: the two of them get a ready check; the code is used up. */
  async joinCode(player: LobbyActor, code: string): Promise<void> {
    const { game, playerId } = player;
    const raw = await this.options.store.getOffer(game, codeKey(code));
    if (!raw) throw new ArenaError(ErrorCode.UNKNOWN_CODE, "no such code, or it expired or was used");
    const offer = JSON.parse(raw) as CodeOffer;
    if (offer.owner === playerId) throw new ArenaError(ErrorCode.BAD_REQUEST, "code: that is your own code; give it to a friend");
    await this.make(game, offer.mode, [offer.owner, playerId], codeKey(code), "private code joined");
  }

  /** Asks for a rematch of a match that just ended: once both asked, a new ready check with seats swapped. */
  async rematch(player: LobbyActor, matchId: string): Promise<boolean> {
    const { game, playerId } = player;
    const asked = await this.options.store.askRematch(game, matchId, playerId, Date.now(), this.rematchMs);
    if (asked.waiting) {
      this.options.channel.toPlayer(game, asked.opponent, "rematch:offered", { matchId, from: playerId });
      return true;
    }
    await this.make(game, asked.mode, asked.players, finishedKey(matchId), "rematch agreed");
    return false;
  }

  stop(): void {
    for (const timer of this.expiries) clearTimeout(timer);
    this.expiries.clear();
  }

  private async make(game: string, mode: string, players: [PlayerId, PlayerId], offer: string, what: string): Promise<void> {
    const { store, readyTimeoutMs, initialRating: initial } = this.options;
    // Two players who choose each other could trade wins: casual, unless the operator allows otherwise.
    const casual = !this.options.rankedDirect;
    const match = await store.makeMatch(game, { matchId: newMatchId(), mode, players, now: Date.now(), readyTimeoutMs, initial, offer, casual });
    this.options.log.info({ game, matchId: match.matchId, players, mode }, `${what}: ready check started`);
    await this.options.announce(match);
  }

  private async expire(game: string, challengeId: string, from: PlayerId): Promise<void> {
    try {
      if (!(await this.options.store.dropOffer(game, challengeKey(challengeId)))) return;
      this.options.channel.toPlayer(game, from, "challenge:expired", { challengeId });
      this.options.log.info({ game, playerId: from, challengeId }, "challenge expired unanswered");
    } catch (error) {
      this.options.log.warn({ err: error, game, challengeId }, "could not expire a challenge; it lapses in the store by itself");
    }
  }

  /** Throws UNKNOWN_PLAYER unless the player is online in the game; returns their status. */
  private async online(game: string, playerId: PlayerId): Promise<"idle" | "queued" | "playing"> {
    const status = await this.options.store.playerStatus(game, playerId);
    if (status === null) throw new ArenaError(ErrorCode.UNKNOWN_PLAYER, "that player is not online in this game");
    return status;
  }

  /** Throws the lifecycle error unless the player is neither queued nor in a match. */
  private async free(game: string, playerId: PlayerId, known?: "idle" | "queued" | "playing"): Promise<void> {
    const status = known ?? (await this.options.store.playerStatus(game, playerId));
    if (status === "queued") throw new ArenaError(ErrorCode.ALREADY_QUEUED, "already queued");
    if (status === "playing") throw new ArenaError(ErrorCode.ALREADY_IN_MATCH, "already in a match");
  }
}

// One tictactoe match between two clients of the `arena-sdk` package (given as `sdk`, so that Node
// and a browser page run the same code); resolves with how it ended.
export async function playOnce(sdk, url) {
  async function player(name) {
    const guest = await sdk.fetchGuestToken(url, name);
    const client = sdk.connect({ url, game: "tictactoe", token: guest.token, autoReady: true });
    await client.connected();
    // On its turn, each plays the first empty cell.
    const move = (state) => {
      if (state.turn !== client.seat) return;
      const cell = state.board.indexOf(null);
      if (cell >= 0) client.input({ cell }).catch(() => undefined);
    };
    client.on("start", (start) => move(start.state));
    client.on("state", (payload) => move(payload.state));
    return client;
  }
  const a = await player("PackA");
  const b = await player("PackB");
  const ended = new Promise((resolve) => a.on("end", resolve));
  await a.queue({ latencies: false });
  await b.queue({ latencies: false });
  const end = await ended;
  a.close();
  b.close();
  return { reason: end.reason, winner: end.winner, clockSynced: a.clock.synced };
}

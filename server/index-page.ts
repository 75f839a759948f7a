/** The page served at `/` until the browser client lands. */
export function placeholderPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Arena</title></head>
<body><h1>Arena</h1><p>This server speaks the Arena wire protocol v1 on Socket.IO. See <a href="/v1/games">/v1/games</a>.</p></body></html>`;
}

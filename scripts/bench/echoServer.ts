/**
 * The HTTP baseline of `npm run bench`: a bare Express 5 app whose one POST
 * route parses the JSON body and sends it back. Run as a child process on
 * PORT, like the node it is compared with.
 */
import express from 'express';

const app = express();
app.use(express.json({ limit: '2mb' }));
app.get('/readyz', (_req, res) => {
  res.json({ status: 'ready' });
});
app.post('/echo', (req, res) => {
  res.json(req.body);
});
app.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1');
process.once('SIGTERM', () => process.exit(0));

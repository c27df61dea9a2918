import { z } from 'zod';
import { key, secret } from '../keys.js';

/** The exchange account; credentials are secret and optional (paper sessions need none). */
export const exchangeSection = z
  .object({
    name: key.oneOf(['paper', 'binance', 'kraken', 'coinbase'], 'paper', 'which exchange the bot talks to'),
    api_key: secret(key.optionalText('API key (secret)')),
    api_secret: secret(key.optionalText('API secret (secret)')),
  })
  .strict();

import type { FastifyReply } from 'fastify';

/** Every API error has one shape: {error: {code, message, reasonCode?}} with a stable MIDGE_API_... code. */
export function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  reasonCode?: number,
): FastifyReply {
  return reply
    .code(status)
    .send({ error: { code, message, ...(reasonCode === undefined ? {} : { reasonCode }) } });
}

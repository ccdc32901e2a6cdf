// A bare Fastify server answering {"hello":"world"}, for bench/hello.ts.
import Fastify from 'fastify';

const server = Fastify({ logger: false });
server.get('/', async () => ({ hello: 'world' }));
const url = await server.listen({ port: 0, host: '127.0.0.1' });
console.log(`listening ${url}`);

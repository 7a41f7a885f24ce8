import { Controller, Get, Header, Injectable, type NestMiddleware } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { Public } from './public.decorator.js';

/** The service's Prometheus registry: process metrics, HTTP traffic, and what features add. */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'vnet_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'vnet_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}

interface Req {
  method: string;
  route?: { path?: string };
  baseUrl?: string;
}
interface Res {
  statusCode: number;
  once(event: 'finish', fn: () => void): void;
}

/** Counts every answer, including those a guard or the router gave (401, 404). */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsRegistry) {}

  use(req: Req, res: Res, next: () => void): void {
    const stop = process.hrtime.bigint();
    res.once('finish', () => {
      // The matched route, not the URL: ids would make the label set unbounded.
      const route = req.route?.path ? `${req.baseUrl ?? ''}${req.route.path}` : 'unmatched';
      this.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      this.metrics.httpDuration.observe({ method: req.method, route }, Number(process.hrtime.bigint() - stop) / 1e9);
    });
    next();
  }
}

@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry, SLOW_BUCKETS_SECONDS } from './metrics-registry.js';
import { routeTemplateOf, UNMATCHED_ROUTE, type RouterLike } from './route-template.js';

interface Req {
  method: string;
  path: string;
  route?: { path?: string };
  baseUrl?: string;
}
interface Res {
  statusCode: number;
  once(event: 'finish', fn: () => void): void;
}
export type CountingMiddleware = (req: Req, res: Res, next: () => void) => void;

/** Every answered request, whoever answered it: a route, a guard, the body parser (400, 413), the 404 handler. */
@Injectable()
export class HttpMetrics {
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route'>;

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.requests = new Counter({
      name: 'vnet_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    });
    this.duration = new Histogram({
      name: 'vnet_http_request_duration_seconds',
      help: 'Time from a request arriving to its answer being sent, by method and route template',
      labelNames: ['method', 'route'] as const,
      buckets: SLOW_BUCKETS_SECONDS,
      registers,
    });
  }

  /**
   * A plain middleware to mount before the body parser: counting on `finish` of the response sees
   * answers the router never got to give.
   */
  middleware(router: () => RouterLike | undefined): CountingMiddleware {
    return (req, res, next) => {
      const start = process.hrtime.bigint();
      res.once('finish', () => {
        const matched = req.route?.path;
        const routes = matched ? undefined : router();
        // The template, never the URL: ids would make the label set unbounded.
        const route = matched
          ? `${req.baseUrl ?? ''}${matched}`
          : routes
            ? routeTemplateOf(routes, req.method, req.path)
            : UNMATCHED_ROUTE;
        this.requests.inc({ method: req.method, route, status: String(res.statusCode) });
        this.duration.observe({ method: req.method, route }, Number(process.hrtime.bigint() - start) / 1e9);
      });
      next();
    };
  }
}

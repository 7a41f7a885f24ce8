import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'vnet:public';

/** Open without the admin token (/health, /docs, /metrics). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

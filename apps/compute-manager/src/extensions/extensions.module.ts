import { Module } from '@nestjs/common';
import { ExtensionReadModel } from './extension.read-model.js';
import { ExtensionsController } from './extensions.controller.js';
import { ExtensionsService } from './extensions.service.js';

@Module({
  controllers: [ExtensionsController],
  providers: [ExtensionsService, ExtensionReadModel],
  exports: [ExtensionsService],
})
export class ExtensionsModule {}

import { OrgCommandsController } from './org-commands.controller';
import { WorkCoverageController } from './work-coverage.controller';

export { OrgCommandsController, MergeIntoDto, PutPersonDto } from './org-commands.controller';
export { WorkCoverageController, PutWorkCoverageDto } from './work-coverage.controller';

/** The organisation and work-coverage command routes (the organisations' GET routes live with the read side). */
export const ORG_COMMAND_CONTROLLERS = [OrgCommandsController, WorkCoverageController];

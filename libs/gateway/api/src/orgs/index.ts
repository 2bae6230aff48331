import { OrgCommandsController } from './org-commands.controller';
import { OrgProposalsController } from './org-proposals.controller';
import { WorkCoverageController } from './work-coverage.controller';

export { OrgCommandsController, MergeIntoDto, PutPersonDto } from './org-commands.controller';
export { WorkCoverageController, PutWorkCoverageDto } from './work-coverage.controller';
export { OrgProposalsController } from './org-proposals.controller';

/** The organisation, proposal and work-coverage routes (the organisations' GET routes live with the read side). */
export const ORG_COMMAND_CONTROLLERS = [OrgCommandsController, OrgProposalsController, WorkCoverageController];

import { OrgCommandsController } from './org-commands.controller';

export { OrgCommandsController, MergeIntoDto, PutPersonDto } from './org-commands.controller';

/** The organisation command routes (the GET routes live with the read side). */
export const ORG_COMMAND_CONTROLLERS = [OrgCommandsController];

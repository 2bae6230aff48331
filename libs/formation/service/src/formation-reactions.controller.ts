import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { OrgParentChanged, RecordedEvent, RegistryEvent } from '@liangxin/contracts';
import { FormationEngine } from './formation-engine';
import { OrganisationTreeGuard } from './organisation-tree-guard';

/**
 * The automatic formation rules, fed by the registry's events (at least once, in the store's order), and the tree
 * guard, fed by this service's own placements. A failure is thrown back to the transport, which redelivers and, after
 * its limit, parks the event.
 */
@Controller()
export class FormationReactionsController {
  constructor(
    private readonly engine: FormationEngine,
    private readonly tree: OrganisationTreeGuard,
  ) {}

  /**
   * A move in the organisation tree, however it was made: if it closed a cycle with a move of the same instant on
   * another instance and nobody has undone it yet (that instance stopped before looking), it is undone now.
   */
  @EventPattern('OrgParentChanged')
  async onOrgParentChanged(@Payload() event: RecordedEvent<OrgParentChanged>): Promise<void> {
    if (event.data.parentOrgId === null) return;
    await this.engine.withPlacement((_placement, foldOwn) => this.tree.undoCycleThrough(event.data.orgId, event.metadata.correlationId, foldOwn));
  }

  @EventPattern('EnterpriseRegistered')
  onEnterpriseRegistered(@Payload() event: RecordedEvent<RegistryEvent>): Promise<void> {
    return this.engine.onRegistryEvent(event);
  }

  @EventPattern('MemberCountChanged')
  onMemberCountChanged(@Payload() event: RecordedEvent<RegistryEvent>): Promise<void> {
    return this.engine.onRegistryEvent(event);
  }

  @EventPattern('EmployeeCountChanged')
  onEmployeeCountChanged(@Payload() event: RecordedEvent<RegistryEvent>): Promise<void> {
    return this.engine.onRegistryEvent(event);
  }

  @EventPattern('OperatingStatusChanged')
  onOperatingStatusChanged(@Payload() event: RecordedEvent<RegistryEvent>): Promise<void> {
    return this.engine.onRegistryEvent(event);
  }

  @EventPattern('LedgerCorrected')
  onLedgerCorrected(@Payload() event: RecordedEvent<RegistryEvent>): Promise<void> {
    return this.engine.onRegistryEvent(event);
  }
}

import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { RecordedEvent, RegistryEvent } from '@liangxin/contracts';
import { FormationEngine } from './formation-engine';

/**
 * The automatic formation rules, fed by the registry's events (at least once, in the store's order).
 * A failure is thrown back to the transport, which redelivers and, after its limit, parks the event.
 */
@Controller()
export class FormationReactionsController {
  constructor(private readonly engine: FormationEngine) {}

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

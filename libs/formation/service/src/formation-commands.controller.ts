import { createHash } from 'node:crypto';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  type ActorScope,
  type AddEnterpriseMessage,
  type AssignInstructorMessage,
  type AssignSecretaryMessage,
  type AssignWorkCoverageMessage,
  type ApproveOrgProposalMessage,
  type ChangeOrgParentMessage,
  type CommandEnvelope,
  type CommandReply,
  type ConfirmOrgDissolutionMessage,
  type DissolveOrgMessage,
  type EnterprisePlacementClaimed,
  type EventMetadata,
  FormationCommands,
  formationCaseloadStreamId,
  formationEnterpriseStreamId,
  formationTreeStreamId,
  type FormOrgMessage,
  type MergeOrgsMessage,
  type OrgEvent,
  orgStreamId,
  type PairOrgsMessage,
  type ProposeOrgMessage,
  type RejectOrgProposalMessage,
  type RecordedEvent,
  type RemoveEnterpriseMessage,
  type ReplaceInstructorMessage,
  type ReplaceSecretaryMessage,
} from '@liangxin/contracts';
import { DomainError, fold } from '@liangxin/event-sourcing';
import { type EventStore, isConcurrencyError } from '@liangxin/event-store';
import {
  type CandidateEnterprise,
  type DecideTreeMove,
  treeDecider,
  caseloadDecider,
  type TakeCaseloadPlace,
  type ClaimEnterprise,
  claimHolds,
  type PlacementHolder,
  placementClaimDecider,
  type FormOrg,
  decideWorkCoverage,
  type OrgCommand,
  type OrgProposal,
  orgDecider,
  type OrgState,
  type PlacementState,
  planLiftAfterDissolution,
  planSettleReleased,
  type ProposedParent,
} from '@liangxin/formation-domain';
import { assertMayActIn, assertSameCommand, EVENT_STORE, handleCommand, SYSTEM_SCOPE } from '@liangxin/platform';
import { FormationEngine } from './formation-engine';
import { OrganisationTreeGuard } from './organisation-tree-guard';
import { readEnterpriseFacts } from './placement-store';

type Metadata = CommandEnvelope<unknown>['metadata'];
type Fold = (events: readonly RecordedEvent[]) => void;
type ExistingOrg = Extract<OrgState, { exists: true }>;
const MAX_WORK_COVERAGE_ATTEMPTS = 3;

/** The id of an organisation an officer forms without naming one: the same command id always gives the same id. */
export const officerOrgId = (mode: string, district: string, commandId: string): string =>
  `${mode}-${district}-${createHash('sha256').update(commandId).digest('hex').slice(0, 12)}`;

/**
 * Officers' commands on party organisations (streams `org-<orgId>`): load → decide with `orgDecider` → append
 * with optimistic concurrency. Each runs against the placement state too, so an enterprise is never put in a
 * second organisation, and its events are folded into that state so the automatic rules respect them.
 */
@Controller()
export class FormationCommandsController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly engine: FormationEngine,
    private readonly tree: OrganisationTreeGuard,
  ) {}

  @MessagePattern(FormationCommands.FormOrg)
  formOrg(@Payload() { payload, scope, metadata }: CommandEnvelope<FormOrgMessage>): Promise<CommandReply<{ orgId: string }>> {
    return this.engine.withPlacement(async (placement, foldOwn) => {
      const data = await this.newOrgData(placement, payload, scope, metadata);
      const command: OrgCommand = { type: 'FormOrg', data };
      const reply = await this.placeEnterprises(placement, command, data.district, data.enterprises, metadata, foldOwn, (atVersion) =>
        this.execute(data.orgId, data.district, command, metadata, foldOwn, atVersion),
      );
      return { ...reply, result: { orgId: data.orgId } };
    });
  }

  /** An application to form an organisation (same checks as FormOrg), for another officer to approve or reject. */
  @MessagePattern(FormationCommands.ProposeOrg)
  proposeOrg(@Payload() { payload, scope, metadata }: CommandEnvelope<ProposeOrgMessage>): Promise<CommandReply<{ orgId: string }>> {
    return this.engine.withPlacement(async (placement, foldOwn) => {
      const data = await this.newOrgData(placement, payload, scope, metadata, true);
      const command: OrgCommand = { type: 'ProposeOrg', data: { ...data, proposedBy: metadata.actor, ...(payload.note && { note: payload.note }) } };
      const reply = await this.execute(data.orgId, data.district, command, { ...metadata, reason: payload.note ?? metadata.reason }, foldOwn);
      return { ...reply, result: { orgId: data.orgId } };
    });
  }

  /**
   * What forming (or proposing) an organisation needs beyond the officer's words: each enterprise with its counts
   * and district from the ledger, in the caller's districts and free of any other organisation, the district (given,
   * or the first enterprise's) within the caller's, the id (from the command id, so a retry names the same
   * organisation) and the parent as its stream says. Whether the enterprises may share it is the decider's rule.
   */
  private async newOrgData(placement: PlacementState, payload: FormOrgMessage, scope: ActorScope, metadata: Metadata, proposing = false): Promise<FormOrg['data']> {
    const candidates: CandidateEnterprise[] = [];
    for (const [i, code] of (payload.enterprises ?? []).entries()) candidates.push(await this.candidate(placement, code, `enterprises[${i}]`, scope, proposing));
    const district = payload.district ?? candidates[0]?.district;
    if (!district) throw new DomainError('DISTRICT_REQUIRED', 'Name the district of the organisation.', 'district');
    assertMayActIn(scope, district, 'district');
    const parent = payload.parentOrgId ? await this.proposedParent(payload.parentOrgId, scope) : undefined;
    return this.formOrgData({ ...payload, orgId: payload.orgId ?? officerOrgId(payload.mode, district, metadata.commandId), district }, candidates, parent);
  }

  /** FormOrg's data from what the officer named, the enterprises as read now and the parent as its stream says. */
  private formOrgData(
    named: Pick<FormOrg['data'], 'orgId' | 'district' | 'name' | 'mode' | 'parentOrgId' | 'publicUnit' | 'level'>,
    enterprises: CandidateEnterprise[],
    parent: ProposedParent | undefined,
  ): FormOrg['data'] {
    return {
      orgId: named.orgId,
      district: named.district,
      name: named.name,
      mode: named.mode,
      enterprises,
      policy: this.engine.policy,
      ...(named.parentOrgId && { parentOrgId: named.parentOrgId, parent }),
      ...(named.publicUnit && { publicUnit: true }),
      ...(named.level && { level: named.level }),
    };
  }

  /**
   * The approval (批复): the proposal's enterprises are read again (counts of today, and none taken by another
   * organisation since) and its parent too, and the organisation is formed on those facts by another officer.
   */
  @MessagePattern(FormationCommands.ApproveOrgProposal)
  approveOrgProposal(@Payload() { payload, scope, metadata }: CommandEnvelope<ApproveOrgProposalMessage>): Promise<CommandReply> {
    return this.engine.withPlacement(async (placement, foldOwn) => {
      const proposal = await this.proposalOf(payload.orgId, scope);
      // none pending: the decider says why (already formed, rejected, never proposed), after a retried command id is recognised
      if (!proposal || proposal.rejected) return this.execute(payload.orgId, '', { type: 'ApproveOrgProposal', data: { orgId: payload.orgId, approvedBy: metadata.actor } }, metadata, foldOwn);
      const { data } = proposal;
      const candidates: CandidateEnterprise[] = [];
      for (const [i, { creditCode }] of data.enterprises.entries()) candidates.push(await this.candidate(placement, creditCode, `enterprises[${i}]`, scope));
      const parent = data.parentOrgId ? await this.proposedParent(data.parentOrgId, SYSTEM_SCOPE) : undefined;
      const formed = this.formOrgData(data, candidates, parent);
      const command: OrgCommand = { type: 'ApproveOrgProposal', data: { orgId: data.orgId, approvedBy: metadata.actor, formed } };
      const withNote = { ...metadata, reason: payload.note ?? metadata.reason };
      return this.placeEnterprises(placement, command, data.district, candidates, withNote, foldOwn, (atVersion) => this.execute(data.orgId, data.district, command, withNote, foldOwn, atVersion));
    });
  }

  @MessagePattern(FormationCommands.RejectOrgProposal)
  rejectOrgProposal(@Payload() { payload, scope, metadata }: CommandEnvelope<RejectOrgProposalMessage>): Promise<CommandReply> {
    return this.engine.withPlacement(async (_placement, foldOwn) => {
      const proposal = await this.proposalOf(payload.orgId, scope);
      const command: OrgCommand = { type: 'RejectOrgProposal', data: { orgId: payload.orgId, rejectedBy: metadata.actor, reason: payload.reason } };
      return this.execute(payload.orgId, proposal?.data.district ?? '', command, { ...metadata, reason: payload.reason }, foldOwn);
    });
  }

  /** The proposal in the organisation's stream, if any, provided its district is the caller's (the decider refuses the rest). */
  private async proposalOf(orgId: string, scope: ActorScope): Promise<OrgProposal | undefined> {
    const state = await this.orgState(orgId);
    const district = state.exists ? state.district : state.proposal?.data.district;
    if (district) assertMayActIn(scope, district, 'orgId');
    return state.exists ? undefined : state.proposal;
  }

  @MessagePattern(FormationCommands.AddEnterprise)
  addEnterprise(@Payload() { payload, scope, metadata }: CommandEnvelope<AddEnterpriseMessage>): Promise<CommandReply> {
    return this.engine.withPlacement(async (placement, foldOwn) => {
      const org = await this.existingOrg(payload.orgId, scope);
      const enterprise = await this.candidate(placement, payload.creditCode, 'creditCode', scope);
      const command: OrgCommand = { type: 'AddEnterprise', data: { orgId: org.orgId, enterprise, policy: this.engine.policy } };
      return this.placeEnterprises(placement, command, org.district, [{ ...enterprise, field: 'creditCode' }], metadata, foldOwn, (atVersion) =>
        this.execute(org.orgId, org.district, command, metadata, foldOwn, atVersion),
      );
    });
  }

  @MessagePattern(FormationCommands.RemoveEnterprise)
  removeEnterprise(@Payload() { payload, scope, metadata }: CommandEnvelope<RemoveEnterpriseMessage>): Promise<CommandReply> {
    return this.engine.withPlacement(async (_placement, foldOwn) => {
      const org = await this.existingOrg(payload.orgId, scope);
      const command: OrgCommand = { type: 'RemoveEnterprise', data: { orgId: org.orgId, creditCode: payload.creditCode, policy: this.engine.policy } };
      return this.execute(org.orgId, org.district, command, { ...metadata, reason: payload.note ?? metadata.reason }, foldOwn);
    });
  }

  /** A merge spans two streams: the survivor absorbs the other, then the other is dissolved naming the survivor. */
  @MessagePattern(FormationCommands.MergeOrgs)
  mergeOrgs(@Payload() { payload, scope, metadata }: CommandEnvelope<MergeOrgsMessage>): Promise<CommandReply> {
    return this.engine.withPlacement(async (placement, foldOwn) => {
      const survivor = await this.existingOrg(payload.intoOrgId, scope, 'intoOrgId');
      const merged = await this.existingOrg(payload.mergedOrgId, scope, 'mergedOrgId');
      const withReason = { ...metadata, reason: payload.reason };
      const absorb: OrgCommand = {
        type: 'AbsorbOrg',
        data: {
          orgId: survivor.orgId,
          merged: { orgId: merged.orgId, district: merged.district, dissolved: merged.dissolved, enterprises: [...merged.enterprises.values()] },
          reason: payload.reason,
          policy: this.engine.policy,
        },
      };
      const absorbing = { ...withReason, commandId: `${metadata.commandId}:absorb` };
      const moving = [...merged.enterprises.keys()].filter((code) => !survivor.enterprises.has(code)).map((creditCode) => ({ creditCode }));
      await this.placeEnterprises(placement, absorb, survivor.district, moving, absorbing, foldOwn, (atVersion) => this.execute(survivor.orgId, survivor.district, absorb, absorbing, foldOwn, atVersion), merged.orgId);
      const dissolve: OrgCommand = { type: 'DissolveOrg', data: { orgId: merged.orgId, reason: payload.reason, mergedInto: survivor.orgId } };
      return this.dissolveAndLift(placement, merged, dissolve, { ...withReason, commandId: `${metadata.commandId}:dissolve` }, foldOwn, survivor.orgId);
    });
  }

  @MessagePattern(FormationCommands.DissolveOrg)
  dissolveOrg(@Payload() { payload, scope, metadata }: CommandEnvelope<DissolveOrgMessage>): Promise<CommandReply> {
    return this.engine.withPlacement(async (placement, foldOwn) => {
      const org = await this.existingOrg(payload.orgId, scope);
      const command: OrgCommand = { type: 'DissolveOrg', data: { orgId: org.orgId, reason: payload.reason } };
      return this.dissolveAndLift(placement, org, command, { ...metadata, reason: payload.reason }, foldOwn);
    });
  }

  /**
   * Rule 4's dissolution for abnormal operation, left pending by the rules: an officer confirms it once the policy's
   * grace period has passed. The enterprises are released to the rules (no organisation, reason operation-abnormal).
   */
  @MessagePattern(FormationCommands.ConfirmOrgDissolution)
  confirmOrgDissolution(@Payload() { payload, scope, metadata }: CommandEnvelope<ConfirmOrgDissolutionMessage>): Promise<CommandReply> {
    return this.engine.withPlacement(async (placement, foldOwn) => {
      const org = await this.existingOrg(payload.orgId, scope);
      const command: OrgCommand = { type: 'ConfirmOrgDissolution', data: { orgId: org.orgId, now: new Date().toISOString(), ...(payload.note && { note: payload.note }) } };
      return this.dissolveAndLift(placement, org, command, { ...metadata, reason: payload.note ?? metadata.reason }, foldOwn, undefined, true);
    });
  }

  /**
   * Dissolves an organisation, then moves the organisations left beneath it up the tree (the formation rule
   * `planLiftAfterDissolution`), each move caused by the OrgDissolved event, and, with `settleReleased`, brings its
   * enterprises to where the rules say. A retried command replays the dissolution and plans only what did not reach the store.
   */
  private async dissolveAndLift(
    placement: PlacementState,
    org: ExistingOrg,
    command: OrgCommand,
    metadata: Metadata,
    foldOwn: Fold,
    mergedInto?: string,
    settleReleased = false,
  ): Promise<CommandReply> {
    const { reply, events } = await this.executeRecorded(org.orgId, org.district, command, metadata, foldOwn);
    const dissolution = events.find((e) => e.type === 'OrgDissolved');
    if (!dissolution) return reply;
    let position = reply.position;
    const lifts = planLiftAfterDissolution(placement, org.orgId, this.engine.policy, mergedInto).map((planned) => ({ planned, step: 'lift' }));
    const released = (dissolution.data as { enterprisesReleased: string[] }).enterprisesReleased;
    const settled = settleReleased ? planSettleReleased(placement, released, this.engine.policy).map((planned) => ({ planned, step: 'settle' })) : [];
    for (const { planned, step } of [...lifts, ...settled]) {
      const commandId = `${metadata.commandId}:${step}:${planned.streamId}`;
      const recorded: EventMetadata = {
        ...planned.metadata,
        commandId,
        correlationId: metadata.correlationId ?? metadata.commandId,
        causationId: dissolution.eventId,
      };
      const expected = planned.expectedVersion;
      const result = await this.store.append(planned.streamId, planned.events.map((event) => ({ ...event, metadata: recorded })), { expected, commandId });
      position = Math.max(position, result.lastPosition);
    }
    return { ...reply, position };
  }

  @MessagePattern(FormationCommands.AssignSecretary)
  assignSecretary(@Payload() { payload, scope, metadata }: CommandEnvelope<AssignSecretaryMessage>): Promise<CommandReply> {
    return this.onOrg(payload.orgId, scope, metadata, (orgId) => ({ type: 'AssignSecretary', data: { orgId, person: person(payload.person) } }));
  }

  @MessagePattern(FormationCommands.ReplaceSecretary)
  replaceSecretary(@Payload() { payload, scope, metadata }: CommandEnvelope<ReplaceSecretaryMessage>): Promise<CommandReply> {
    return this.onOrg(payload.orgId, scope, { ...metadata, reason: payload.reason }, (orgId) => ({
      type: 'ReplaceSecretary',
      data: { orgId, person: person(payload.person), reason: payload.reason },
    }));
  }

  @MessagePattern(FormationCommands.AssignInstructor)
  assignInstructor(@Payload() { payload, scope, metadata }: CommandEnvelope<AssignInstructorMessage>): Promise<CommandReply> {
    return this.onOrg(payload.orgId, scope, metadata, (orgId) => ({ type: 'AssignInstructor', data: { orgId, person: person(payload.person) } }));
  }

  @MessagePattern(FormationCommands.ReplaceInstructor)
  replaceInstructor(@Payload() { payload, scope, metadata }: CommandEnvelope<ReplaceInstructorMessage>): Promise<CommandReply> {
    return this.onOrg(payload.orgId, scope, { ...metadata, reason: payload.reason }, (orgId) => ({
      type: 'ReplaceInstructor',
      data: { orgId, person: person(payload.person), reason: payload.reason },
    }));
  }

  /**
   * 结对共建: recorded on the private unit's organisation. Public units are recorded as organisations formed with
   * `publicUnit: true`: the one named is read from its stream, must be in the caller's districts, and the pairing
   * carries its recorded name.
   */
  @MessagePattern(FormationCommands.PairOrgs)
  pairOrgs(@Payload() { payload, scope, metadata }: CommandEnvelope<PairOrgsMessage>): Promise<CommandReply> {
    return this.engine.withPlacement(async (_placement, foldOwn) => {
      const org = await this.existingOrg(payload.orgId, scope);
      const publicUnit = await this.orgState(payload.publicUnitOrgId);
      if (!publicUnit.exists)
        throw new DomainError('PUBLIC_UNIT_NOT_FOUND', `No organisation ${payload.publicUnitOrgId} of a public unit exists.`, 'publicUnitOrgId', 'not_found');
      assertMayActIn(scope, publicUnit.district, 'publicUnitOrgId');
      const command: OrgCommand = {
        type: 'PairWithPublicUnit',
        data: {
          orgId: org.orgId,
          publicUnit: { orgId: publicUnit.orgId, name: publicUnit.name, publicUnit: publicUnit.publicUnit, dissolved: publicUnit.dissolved },
          ...(payload.pairedOn && { pairedOn: payload.pairedOn }),
        },
      };
      return this.execute(org.orgId, org.district, command, metadata, foldOwn);
    });
  }

  /**
   * The organisation tree: place an organisation under another, or detach it. The ancestors of the proposed parent
   * are read here, stream by stream, so that the decider refuses a cycle without any I/O of its own. Both the
   * organisation and its new parent must be in the caller's districts.
   */
  @MessagePattern(FormationCommands.ChangeOrgParent)
  changeOrgParent(@Payload() { payload, scope, metadata }: CommandEnvelope<ChangeOrgParentMessage>): Promise<CommandReply> {
    return this.engine.withPlacement(async (_placement, foldOwn) => {
      const org = await this.existingOrg(payload.orgId, scope);
      const parent = payload.parentOrgId ? await this.proposedParent(payload.parentOrgId, scope) : null;
      const parentAncestors = parent?.exists ? await this.tree.ancestorsOf(parent.parentOrgId, org.orgId) : [];
      const command: OrgCommand = { type: 'ChangeOrgParent', data: { orgId: org.orgId, parent, parentAncestors, reason: payload.reason } };
      const atVersion = await this.decideTreeMove(org, command, parent ? [parent.orgId, ...parentAncestors] : [], parent?.name, metadata);
      const { reply, events } = await this.executeRecorded(org.orgId, org.district, command, { ...metadata, reason: payload.reason }, foldOwn, atVersion);
      const placed = events.find((e) => e.type === 'OrgParentChanged' && (e.data as { parentOrgId: string | null }).parentOrgId !== null);
      return placed ? this.placeWithoutCycle(org, placed, reply, metadata, foldOwn) : reply;
    });
  }

  /**
   * A move spans two streams: it is decided on the district's tree stream first (`decideTreeMove`: no cycle with any move
   * recorded there, by any instance), then recorded on the organisation at the version its own rules were checked on.
   * A retry of the same command finds its tree decision (same command id) and completes the organisation's part.
   */
  private async decideTreeMove(org: ExistingOrg, command: Extract<OrgCommand, { type: 'ChangeOrgParent' }>, parentChain: string[], parentName: string | undefined, metadata: Metadata): Promise<number | undefined> {
    const orgEvents = await this.store.readStream<OrgEvent>(orgStreamId(org.orgId));
    if (orgEvents.some((e) => e.metadata.commandId === metadata.commandId)) return undefined; // done before: the replay answers
    orgDecider.decide(command, fold(orgDecider, orgEvents)); // the organisation's own refusals first: a refused move decides nothing
    const parentOrgId = command.data.parent?.orgId ?? null;
    const move: DecideTreeMove = {
      type: 'DecideTreeMove',
      data: { district: org.district, orgId: org.orgId, parentOrgId, previousParentOrgId: org.parentOrgId ?? null, parentChain, name: org.name, ...(parentName && { parentName }) },
    };
    const recorded: EventMetadata = { actor: metadata.actor, commandId: `${metadata.commandId}:tree`, correlationId: metadata.correlationId ?? metadata.commandId, causationId: metadata.commandId, district: org.district };
    await handleCommand(this.store, formationTreeStreamId(org.district), treeDecider, move, recorded);
    return orgEvents.length - 1;
  }

  /**
   * The cycle check above ran on what was read before the append; another formation instance may have moved an
   * organisation crosswise in between. Once the placement is in, the tree is walked again (`OrganisationTreeGuard`)
   * and a cycle undone; the officer whose move that was is told so, also when retrying the same command.
   */
  private async placeWithoutCycle(org: ExistingOrg, placed: RecordedEvent, reply: CommandReply, metadata: Metadata, foldOwn: Fold): Promise<CommandReply> {
    const parentOrgId = (placed.data as { parentOrgId: string }).parentOrgId;
    if (reply.idempotentReplay && (await this.tree.wasUndone(org.orgId, placed.eventId))) throw await this.placementUndone(org, parentOrgId);
    const { closing, position } = await this.tree.undoCycleThrough(org.orgId, metadata.correlationId ?? metadata.commandId, foldOwn);
    if (closing?.placedBy === placed.eventId) throw await this.placementUndone(org, parentOrgId);
    return position === undefined ? reply : { ...reply, position: Math.max(reply.position, position) };
  }

  private async placementUndone(org: ExistingOrg, parentOrgId: string): Promise<DomainError> {
    const parent = await this.orgState(parentOrgId);
    const parentName = parent.exists ? parent.name : parentOrgId;
    return new DomainError(
      'PLACEMENT_CYCLE_UNDONE',
      `At the same moment another officer's move put ${parentName} beneath ${org.name}; the two moves together made a cycle, so this one has been undone. Look at the tree again before placing ${org.name}.`,
      'parentOrgId',
      'conflict',
    );
  }

  /** A parent an officer names, as its stream says, provided it is in the caller's districts. */
  private async proposedParent(parentOrgId: string, scope: ActorScope): Promise<ProposedParent & { parentOrgId?: string }> {
    const { parent, district } = await this.tree.parentAsRead(parentOrgId);
    if (district) assertMayActIn(scope, district, 'parentOrgId');
    return parent;
  }

  /**
   * Work coverage (工作覆盖) of an enterprise with no organisation: decided on the placement state, which knows
   * every person's caseload, and appended to the enterprise's coverage stream at the version that state knows,
   * so an automatic decision made meanwhile turns this into a version conflict instead of a lost update.
   */
  @MessagePattern(FormationCommands.AssignWorkCoverage)
  async assignWorkCoverage(@Payload() envelope: CommandEnvelope<AssignWorkCoverageMessage>): Promise<CommandReply> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.tryAssignWorkCoverage(envelope);
      } catch (error) {
        // the placement state was dropped with the conflict: the next attempt decides on the store's present
        if (!isConcurrencyError(error) || attempt >= MAX_WORK_COVERAGE_ATTEMPTS) throw error;
      }
    }
  }

  private tryAssignWorkCoverage({ payload, scope, metadata }: CommandEnvelope<AssignWorkCoverageMessage>): Promise<CommandReply> {
    return this.engine.withPlacement(async (placement, foldOwn) => {
      const streamId = formationEnterpriseStreamId(payload.creditCode);
      const history = await this.store.readStream(streamId);
      // tenancy before the replay: a replayed command id must not answer (or confirm) anything to a caller outside the district
      const known = placement.enterprises.get(payload.creditCode);
      const placed = known && known.registryVersion >= 0 ? known : undefined;
      const facts = placed ? undefined : await readEnterpriseFacts(this.store, payload.creditCode);
      if (placed) assertMayActIn(scope, placed.district, 'creditCode');
      else if (facts) assertMayActIn(scope, facts.district, 'creditCode');
      const earlier = history.filter((e) => e.metadata.commandId === metadata.commandId);
      assertSameCommand(earlier, metadata);
      if (earlier.length > 0) return { position: earlier[earlier.length - 1].globalPosition, idempotentReplay: true };
      if (!placed && facts)
        throw new DomainError('ENTERPRISE_NOT_YET_PLACED', `Enterprise ${payload.creditCode} was registered moments ago and is still being placed; try again shortly.`, 'creditCode', 'conflict');
      const command = { creditCode: payload.creditCode, coveredBy: payload.coveredBy, assignee: payload.assignee && person(payload.assignee) };
      const events = decideWorkCoverage(placement, command, this.engine.policy);
      const enterprise = placement.enterprises.get(payload.creditCode);
      if (events.length === 0 || !enterprise) return { position: history.at(-1)?.globalPosition ?? 0 };
      const recorded: EventMetadata = {
        actor: metadata.actor,
        commandId: metadata.commandId,
        ...(metadata.commandFingerprint && { commandFingerprint: metadata.commandFingerprint }),
        correlationId: metadata.correlationId ?? metadata.commandId,
        causationId: metadata.commandId,
        district: enterprise.district,
        policyVersion: this.engine.policy.version,
        ...((payload.reason ?? metadata.reason) && { reason: payload.reason ?? metadata.reason }),
      };
      const assignee = events[0].data.assignee;
      if (assignee) await this.takeCaseloadPlace(assignee, enterprise.creditCode, enterprise.district, enterprise.coverageStreamVersion, recorded);
      const expected = enterprise.coverageStreamVersion < 0 ? 'no_stream' : enterprise.coverageStreamVersion;
      const result = await this.store.append(
        streamId,
        events.map((event) => ({ ...event, metadata: recorded })),
        { expected, commandId: metadata.commandId },
      );
      if (!result.idempotentReplay) foldOwn(result.events);
      return { position: result.lastPosition, ...(result.idempotentReplay && { idempotentReplay: true }) };
    });
  }

  /**
   * The caseload limit, decided on the person's own stream (`takeCaseloadPlace`) so that two assignments on two instances
   * cannot both take the last place: each place names the coverage stream's version the assignment is appended at, and
   * counts while the person covers that enterprise or that stream has not moved past it.
   */
  private async takeCaseloadPlace(person: { personId: string; name: string }, creditCode: string, district: string, coverageVersion: number, recorded: EventMetadata) {
    const streamId = formationCaseloadStreamId(person.personId);
    const places = fold(caseloadDecider, await this.store.readStream(streamId));
    const stillHeld: string[] = [];
    for (const [code, version] of places.places) {
      const coverage = await this.store.readStream(formationEnterpriseStreamId(code));
      const lastAssignment = coverage.findLast((e) => e.type === 'WorkCoverageAssigned' || e.type === 'WorkCoverageNeeded' || e.type === 'EnterpriseCoverageEnded' || e.type === 'EnterprisePlacementClaimed');
      const covering = lastAssignment?.type === 'WorkCoverageAssigned' && (lastAssignment.data as { assignee?: { personId: string } }).assignee?.personId === person.personId;
      if (covering || coverage.length - 1 === version) stillHeld.push(code);
    }
    const command: TakeCaseloadPlace = {
      type: 'TakeCaseloadPlace',
      data: { ...person, creditCode, district, coverageVersion, placesSeen: places.taken, stillHeld, limit: this.engine.policy.maxWorkCoverageCaseload, policyVersion: this.engine.policy.version },
    };
    // the placement state does not fold caseload places: nothing to fold
    await handleCommand(this.store, streamId, caseloadDecider, command, { ...recorded, commandId: `${recorded.commandId}:caseload@${coverageVersion}` });
  }

  private onOrg(orgId: string, scope: ActorScope, metadata: Metadata, command: (orgId: string) => OrgCommand): Promise<CommandReply> {
    return this.engine.withPlacement(async (_placement, foldOwn) => {
      const org = await this.existingOrg(orgId, scope);
      return this.execute(org.orgId, org.district, command(org.orgId), metadata, foldOwn);
    });
  }

  private async execute(orgId: string, district: string, command: OrgCommand, metadata: Metadata, foldOwn: Fold, atVersion?: number): Promise<CommandReply> {
    return (await this.executeRecorded(orgId, district, command, metadata, foldOwn, atVersion)).reply;
  }

  /**
   * A command that places enterprises spans streams: each enterprise is claimed on its placement stream first, for
   * `orgId` at the version its stream is at now (`claimEnterprise` refuses one another organisation holds or is placing),
   * then `place` decides on the organisation at exactly that version. A retry of the same command finds its claims and
   * completes; a claim whose organisation moved on without the enterprise is spent, so nothing is ever undone.
   */
  private async placeEnterprises<T>(
    placement: PlacementState,
    command: OrgCommand,
    district: string,
    enterprises: readonly { creditCode: string; field?: string }[],
    metadata: Metadata,
    foldOwn: Fold,
    place: (atVersion: number) => Promise<T>,
    from?: string,
  ): Promise<T> {
    const orgId = command.data.orgId;
    const orgEvents = await this.store.readStream<OrgEvent>(orgStreamId(orgId));
    const orgVersion = orgEvents.length - 1;
    if (orgEvents.some((e) => e.metadata.commandId === metadata.commandId)) return place(orgVersion); // done before: the replay answers
    // the organisation's own rules first, on the state the placement will be decided on: a refusal claims nothing
    orgDecider.decide(command, fold(orgDecider, orgEvents));
    const claims: ClaimEnterprise[] = [];
    for (const [i, { creditCode, field }] of enterprises.entries()) {
      const { holder, claimsSeen } = await this.placementOf(placement, creditCode);
      const claim: ClaimEnterprise = {
        type: 'ClaimEnterprise',
        data: { creditCode, district, orgId, orgVersion, automatic: false, claimsSeen, ...(holder && { holder }), ...(from && { from }), field: field ?? `enterprises[${i}]` },
      };
      // every claim decided on what the record says now before any is appended: an enterprise held elsewhere refuses
      // the command while it has claimed nothing (a claim for an organisation never formed would block the others)
      placementClaimDecider.decide(claim, fold(placementClaimDecider, await this.store.readStream(formationEnterpriseStreamId(creditCode))));
      claims.push(claim);
    }
    for (const command of claims) {
      const { creditCode } = command.data;
      const recorded: EventMetadata = { actor: metadata.actor, commandId: `${metadata.commandId}:claim:${orgId}@${orgVersion}`, correlationId: metadata.correlationId ?? metadata.commandId, causationId: metadata.commandId, district };
      const result = await handleCommand(this.store, formationEnterpriseStreamId(creditCode), placementClaimDecider, command, recorded);
      if (!result.idempotentReplay) foldOwn(result.events);
    }
    return place(orgVersion);
  }

  /** Who holds an enterprise now: the organisation of its latest claim, as that organisation's stream says, else (placed before claims existed) the log's. */
  private async placementOf(placement: PlacementState, creditCode: string): Promise<{ holder?: PlacementHolder; claimsSeen: number }> {
    const claims = (await this.store.readStream<EnterprisePlacementClaimed>(formationEnterpriseStreamId(creditCode))).filter((e) => e.type === 'EnterprisePlacementClaimed');
    const latest = claims.at(-1);
    if (!latest) {
      const orgId = placement.enterprises.get(creditCode)?.orgId;
      return { claimsSeen: 0, ...(orgId && { holder: { orgId, holds: true } }) };
    }
    const orgEvents = await this.store.readStream<OrgEvent>(orgStreamId(latest.data.claimedFor));
    const org = fold(orgDecider, orgEvents);
    const holdsEnterprise = org.exists && org.enterprises.has(creditCode);
    return { claimsSeen: claims.length, holder: { orgId: latest.data.claimedFor, holds: claimHolds(latest.data, { version: orgEvents.length - 1, holdsEnterprise }) } };
  }

  /** `execute`, also giving the events the command recorded (now, or earlier for a retried command id). */
  private async executeRecorded(
    orgId: string,
    district: string,
    command: OrgCommand,
    metadata: Metadata,
    foldOwn: Fold,
    atVersion?: number,
  ): Promise<{ reply: CommandReply; events: readonly RecordedEvent[] }> {
    const recorded: EventMetadata = {
      actor: metadata.actor,
      commandId: metadata.commandId,
      ...(metadata.commandFingerprint && { commandFingerprint: metadata.commandFingerprint }),
      correlationId: metadata.correlationId ?? metadata.commandId,
      causationId: metadata.commandId,
      district,
      ...(metadata.reason && { reason: metadata.reason }),
    };
    const result = await handleCommand(this.store, orgStreamId(orgId), orgDecider, command, recorded, atVersion === undefined ? {} : { atVersion });
    if (!result.idempotentReplay) foldOwn(result.events);
    return { reply: { position: result.position, ...(result.idempotentReplay && { idempotentReplay: true }) }, events: result.events };
  }

  private async orgState(orgId: string): Promise<OrgState> {
    return fold(orgDecider, await this.store.readStream<OrgEvent>(orgStreamId(orgId)));
  }

  private async existingOrg(orgId: string, scope: ActorScope, field = 'orgId'): Promise<ExistingOrg> {
    const org = await this.orgState(orgId);
    if (!org.exists) throw new DomainError('ORG_NOT_FOUND', `No party organisation ${orgId} exists.`, field, 'not_found');
    assertMayActIn(scope, org.district, field);
    return org;
  }

  /**
   * An enterprise an officer names (`field` says where), loaded from its ledger stream: registered, in a district the
   * caller acts in (the ledger's district, not the code's or the body's), not deregistered, and held by no other organisation.
   */
  private async candidate(placement: PlacementState, creditCode: string, field: string, scope: ActorScope, proposing = false): Promise<CandidateEnterprise> {
    const facts = await readEnterpriseFacts(this.store, creditCode);
    if (!facts) throw new DomainError('ENTERPRISE_NOT_REGISTERED', `No enterprise with credit code ${creditCode} is registered.`, field, 'not_found');
    assertMayActIn(scope, facts.district, field);
    if (facts.status === 'deregistered')
      throw new DomainError('ENTERPRISE_DEREGISTERED', `Enterprise ${creditCode} is deregistered and cannot join an organisation.`, field, 'conflict');
    // a proposal claims nothing yet: it is refused early for an enterprise held now; forming claims it (`placeEnterprises`)
    const heldBy = proposing ? placement.enterprises.get(creditCode)?.orgId : undefined;
    if (heldBy)
      throw new DomainError('ENTERPRISE_IN_ANOTHER_ORG', `Enterprise ${creditCode} already belongs to organisation ${heldBy}; remove it there first.`, field, 'conflict');
    return { creditCode, district: facts.district, fullMembers: facts.fullMembers, probationaryMembers: facts.probationaryMembers };
  }
}

const person = (p: { personId: string; name: string }) => ({ personId: p.personId, name: p.name });

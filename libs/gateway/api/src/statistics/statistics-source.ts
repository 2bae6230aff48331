import {
  ENTERPRISE_STATUS,
  type EnterpriseStatus,
  enterpriseStatusProjection,
  EVALUATION_ORGS,
  evaluationProjection,
  type OrganisationStatus,
  ORGANISATION_STATUS,
  organisationStatusProjection,
  type OrgEvaluation,
  type Projection,
  type ReadModelStore,
  SERVICE_REQUESTS,
  serviceRequestsProjection,
  type ServiceRequestView,
  type TimeTravel,
} from '@liangxin/read-models';

/** The districts a table covers: those named, or every district (an admin asking for no district). */
export type Districts = readonly string[] | 'all';

/**
 * The documents a statistics table is computed from, for a set of districts, now or as of a past moment.
 * A past answer takes the ids known now (documents are never deleted, and a district never changes) and replays
 * their projection to that moment; a document that did not exist then is left out.
 */
export class StatisticsSource {
  constructor(
    private readonly readModels: ReadModelStore,
    private readonly timeTravel: TimeTravel,
    /** undefined: now */
    private readonly asOf: string | undefined,
  ) {}

  enterprises(districts: Districts): Promise<EnterpriseStatus[]> {
    return this.documents<EnterpriseStatus>(enterpriseStatusProjection, ENTERPRISE_STATUS, districts);
  }

  /** enterprises with these ledger fields (e.g. { ownership: 'foreign', district: '330482' }) */
  enterprisesWhere(fields: Record<string, string>): Promise<EnterpriseStatus[]> {
    return this.documentsWhere<EnterpriseStatus>(enterpriseStatusProjection, ENTERPRISE_STATUS, [fields]);
  }

  orgs(districts: Districts): Promise<OrganisationStatus[]> {
    return this.documents<OrganisationStatus>(organisationStatusProjection, ORGANISATION_STATUS, districts);
  }

  requests(districts: Districts): Promise<ServiceRequestView[]> {
    return this.documents<ServiceRequestView>(serviceRequestsProjection, SERVICE_REQUESTS, districts);
  }

  ratings(districts: Districts): Promise<OrgEvaluation[]> {
    return this.documents<OrgEvaluation>(evaluationProjection, EVALUATION_ORGS, districts);
  }

  private documents<T extends object>(projection: Projection, collection: string, districts: Districts): Promise<T[]> {
    return this.documentsWhere<T>(projection, collection, districts === 'all' ? [{}] : districts.map((district) => ({ district })));
  }

  private async documentsWhere<T extends object>(projection: Projection, collection: string, filters: Record<string, string>[]): Promise<T[]> {
    const found = (await Promise.all(filters.map((where) => this.readModels.find<T>(collection, where)))).flat();
    if (!this.asOf || found.length === 0) return found.map((document) => document.body);
    const then = await this.timeTravel.documentsAsOf<T>(projection, collection, found.map((document) => document.id), { timestamp: this.asOf });
    return [...then.values()].filter((body): body is T => body !== undefined);
  }
}

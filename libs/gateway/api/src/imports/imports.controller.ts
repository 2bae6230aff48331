import { BadRequestException, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Query, Req, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { columnsOf, MissingColumnsError, readRegisterFile, RegisterFileError, reportWorkbook } from '@liangxin/register-import';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Roles } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { ImportJobs } from './import-jobs.service';

/** What multer hands over for the file field (memory storage); @types/multer is not installed. */
interface UploadedRegister {
  buffer: Buffer;
  originalname: string;
}

/** Largest register file accepted: a city's 300 000 rows as CSV are about 30 MB. */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

const JOB_SCHEMA = {
  type: 'object',
  required: ['id', 'requestedBy', 'status', 'fileName', 'sha256', 'progress', 'startedAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    requestedBy: { type: 'string', example: 'officer:li' },
    status: { type: 'string', enum: ['running', 'succeeded', 'failed'] },
    fileName: { type: 'string' },
    sha256: { type: 'string' },
    progress: { type: 'object', properties: { done: { type: 'integer' }, total: { type: 'integer' } } },
    counts: {
      type: 'object',
      description: 'rows per outcome, once finished',
      properties: { registered: { type: 'integer' }, updated: { type: 'integer' }, unchanged: { type: 'integer' }, refused: { type: 'integer' } },
    },
    startedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time' },
    error: { type: 'string', description: 'why it failed; importing the same file again resumes it' },
  },
};

const ROW_SCHEMA = {
  type: 'object',
  required: ['row', 'outcome'],
  properties: {
    row: { type: 'integer', description: 'row number as a spreadsheet shows it (header = 1)' },
    creditCode: { type: 'string' },
    name: { type: 'string' },
    outcome: { type: 'string', enum: ['registered', 'updated', 'unchanged', 'refused'] },
    events: { type: 'array', items: { type: 'string' } },
    alreadyImported: { type: 'boolean' },
    code: { type: 'string', description: 'refused: stable code' },
    column: { type: 'string', description: "refused: the column at fault, as the file's header names it" },
    reason: { type: 'string' },
  },
};

@ApiTags('imports')
@ApiBearerAuth()
@Controller('api/imports')
export class ImportsController {
  constructor(private readonly imports: ImportJobs) {}

  @Post()
  @HttpCode(202)
  @Roles('admin', 'officer')
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_IMPORT_BYTES, files: 1 } }))
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary', description: 'the register as .csv (UTF-8) or .xlsx' } } } })
  @ApiOperation({ summary: "Import a register file (the market regulator's, CSV or XLSX): answers a job to poll", description: 'docs/import.md: columns, outcomes, resuming.' })
  @ApiResponse({ status: 202, description: 'the job, running', schema: JOB_SCHEMA })
  @ApiResponse({ status: 400, description: 'no file, an unreadable file, or a required column missing (details name it)' })
  upload(@UploadedFile() file: UploadedRegister | undefined, @CurrentPrincipal() principal: Principal, @Req() request: Request & { id?: string }) {
    if (!file) throw new BadRequestException({ message: 'Attach the register file as the multipart field "file"', details: [{ field: 'file', reason: 'missing' }] });
    return this.read(file).then((register) => this.imports.start(register, fileNameOf(file), principal, request.id));
  }

  @Get(':id')
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'An import job: its progress, then the rows per outcome' })
  @ApiResponse({ status: 200, schema: JOB_SCHEMA })
  @ApiResponse({ status: 404, description: 'no such job of yours (jobs are kept in memory until restart)' })
  job(@Param('id', new ParseUUIDPipe({ exceptionFactory: () => notFound() })) id: string, @CurrentPrincipal() principal: Principal) {
    const entry = this.imports.get(id, principal);
    if (!entry) throw notFound();
    return entry.job;
  }

  @Get(':id/report')
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'The per-row report of a finished import: JSON, or an .xlsx to download' })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'xlsx'] })
  @ApiProduces('application/json', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiResponse({
    status: 200,
    description: 'JSON: {file, columns, counts, rows}; xlsx: the same rows as a workbook',
    schema: { type: 'object', properties: { file: { type: 'object' }, columns: { type: 'object' }, counts: JOB_SCHEMA.properties.counts, rows: { type: 'array', items: ROW_SCHEMA } } },
  })
  @ApiResponse({ status: 409, description: 'the job is still running or failed: no report yet' })
  async report(
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => notFound() })) id: string,
    @Query('format') format: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (format !== undefined && format !== 'json' && format !== 'xlsx') throw new BadRequestException({ message: 'format must be json or xlsx', details: [{ field: 'format', reason: 'must be json or xlsx' }] });
    const entry = this.imports.get(id, principal);
    if (!entry) throw notFound();
    if (!entry.report) throw new ConflictException({ message: `Import ${id} is ${entry.job.status}: it has no report`, details: [{ field: 'id', reason: `job ${entry.job.status}` }] });
    if (format !== 'xlsx') return entry.report;
    response.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    response.setHeader('Content-Disposition', `attachment; filename="import-report-${id}.xlsx"`);
    response.send(await reportWorkbook(entry.report));
  }

  private async read(file: UploadedRegister) {
    try {
      const register = await readRegisterFile(file.buffer, fileNameOf(file));
      columnsOf(register);
      if (register.rows.length === 0) throw new RegisterFileError('The file has a header row but no rows to import');
      return register;
    } catch (error) {
      if (error instanceof RegisterFileError || error instanceof MissingColumnsError) throw new BadRequestException({ message: error.message, details: [{ field: 'file', reason: error.message }] });
      throw error;
    }
  }
}

const notFound = () => new NotFoundException({ message: 'No such import job of yours (jobs are kept in memory until restart)', details: [{ field: 'id', reason: 'not found' }] });

/** Browsers send the name as latin1 bytes of its UTF-8: 企业名录.csv arrives garbled unless decoded again. */
const fileNameOf = (file: UploadedRegister): string => Buffer.from(file.originalname, 'latin1').toString('utf8');

export { type Cell, cellText, type ColumnKind, districtsLine, type NamedDistrict, namedDistrict, type Table, type TableColumn } from './table';
export { AS_OF_LABEL, DISTRICTS_LABEL, tableToCsv, tableToPrintHtml, tableToXlsx } from './write-table';
export { ApiTableExport, EXPORT_FORMATS, type ExportFormat, ExportFormatQuery, exportFileName, tableResponse } from './table-response';

import { environmentProgram } from "./program";

const outputs = environmentProgram();

export const fpDbId = outputs.fpDbId;
export const status = outputs.status;
export const purgeJobId = outputs.purgeJobId;

import { runCommandTool } from './command';
import { listDirectoryTool, readFileTool, searchFilesTool, writeFileTool } from './files';
import { scheduleTaskTool, sendMessageTool } from './ipc-tools';
import type { Tool } from './types';

export const TOOLS: Tool[] = [
  runCommandTool,
  readFileTool,
  writeFileTool,
  listDirectoryTool,
  searchFilesTool,
  sendMessageTool,
  scheduleTaskTool,
];

export { ToolError, type Tool, type ToolContext } from './types';

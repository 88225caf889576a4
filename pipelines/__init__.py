"""案例评审工作台的处理流水线 / Processing pipeline of the case review workbench."""

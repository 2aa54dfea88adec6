"""The GitHub emulator's GraphQL schema: a faithful subset of GitHub's public schema, in SDL.

Only what phasesync's project board uses (`syncer.forges.github_board`) and what a test reads
back: Projects (v2) with their fields, options, iterations, items and values, the three
mutations, `repository { issue }` and `node(id:)`. Names, types, nullability and arguments
are GitHub's own; a query naming anything else fails validation, as it would on GitHub
(whose schema is a superset). `github_graphql` executes queries against it.
"""

from __future__ import annotations

from functools import cache

from graphql import GraphQLSchema, build_schema

SDL = """
scalar Date
scalar URI

interface Node { id: ID! }

type PageInfo {
  endCursor: String
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
}

type Query {
  node(id: ID!): Node
  organization(login: String!): Organization
  repository(owner: String!, name: String!): Repository
  user(login: String!): User
}

type Mutation {
  addProjectV2ItemById(input: AddProjectV2ItemByIdInput!): AddProjectV2ItemByIdPayload
  createProjectV2Field(input: CreateProjectV2FieldInput!): CreateProjectV2FieldPayload
  updateProjectV2ItemFieldValue(
    input: UpdateProjectV2ItemFieldValueInput!
  ): UpdateProjectV2ItemFieldValuePayload
}

interface ProjectV2Owner {
  id: ID!
  projectV2(number: Int!): ProjectV2
}

type Organization implements Node & ProjectV2Owner {
  id: ID!
  login: String!
  projectV2(number: Int!): ProjectV2
}

type User implements Node & ProjectV2Owner {
  id: ID!
  login: String!
  projectV2(number: Int!): ProjectV2
}

type Repository implements Node {
  id: ID!
  issue(number: Int!): Issue
  name: String!
  nameWithOwner: String!
}

enum IssueState { CLOSED OPEN }

type Issue implements Node {
  id: ID!
  number: Int!
  projectItems(first: Int, after: String): ProjectV2ItemConnection!
  repository: Repository!
  state: IssueState!
  title: String!
  url: URI!
}

type ProjectV2 implements Node {
  closed: Boolean!
  field(name: String!): ProjectV2FieldConfiguration
  fields(first: Int, after: String): ProjectV2FieldConfigurationConnection!
  id: ID!
  items(first: Int, after: String): ProjectV2ItemConnection!
  number: Int!
  owner: ProjectV2Owner!
  title: String!
  url: URI!
}

enum ProjectV2FieldType {
  ASSIGNEES DATE ISSUE_TYPE ITERATION LABELS LINKED_PULL_REQUESTS MILESTONE NUMBER PARENT_ISSUE
  REPOSITORY REVIEWERS SINGLE_SELECT SUB_ISSUES_PROGRESS TEXT TITLE TRACKED_BY TRACKS
}

enum ProjectV2CustomFieldType { DATE NUMBER SINGLE_SELECT TEXT }

interface ProjectV2FieldCommon {
  dataType: ProjectV2FieldType!
  id: ID!
  name: String!
  project: ProjectV2!
}

type ProjectV2Field implements Node & ProjectV2FieldCommon {
  dataType: ProjectV2FieldType!
  id: ID!
  name: String!
  project: ProjectV2!
}

enum ProjectV2SingleSelectFieldOptionColor { BLUE GRAY GREEN ORANGE PINK PURPLE RED YELLOW }

type ProjectV2SingleSelectFieldOption {
  color: ProjectV2SingleSelectFieldOptionColor!
  description: String!
  id: String!
  name: String!
}

type ProjectV2SingleSelectField implements Node & ProjectV2FieldCommon {
  dataType: ProjectV2FieldType!
  id: ID!
  name: String!
  options(names: [String!]): [ProjectV2SingleSelectFieldOption!]!
  project: ProjectV2!
}

type ProjectV2IterationFieldIteration {
  duration: Int!
  id: String!
  startDate: Date!
  title: String!
}

type ProjectV2IterationFieldConfiguration {
  completedIterations: [ProjectV2IterationFieldIteration!]!
  duration: Int!
  iterations: [ProjectV2IterationFieldIteration!]!
  startDay: Int!
}

type ProjectV2IterationField implements Node & ProjectV2FieldCommon {
  configuration: ProjectV2IterationFieldConfiguration!
  dataType: ProjectV2FieldType!
  id: ID!
  name: String!
  project: ProjectV2!
}

union ProjectV2FieldConfiguration =
  ProjectV2Field | ProjectV2IterationField | ProjectV2SingleSelectField

type ProjectV2FieldConfigurationConnection {
  nodes: [ProjectV2FieldConfiguration]
  pageInfo: PageInfo!
  totalCount: Int!
}

enum ProjectV2ItemType { DRAFT_ISSUE ISSUE PULL_REQUEST REDACTED }

union ProjectV2ItemContent = Issue

type ProjectV2Item implements Node {
  content: ProjectV2ItemContent
  fieldValueByName(name: String!): ProjectV2ItemFieldValue
  fieldValues(first: Int, after: String): ProjectV2ItemFieldValueConnection!
  id: ID!
  isArchived: Boolean!
  project: ProjectV2!
  type: ProjectV2ItemType!
}

type ProjectV2ItemConnection {
  nodes: [ProjectV2Item]
  pageInfo: PageInfo!
  totalCount: Int!
}

type ProjectV2ItemFieldTextValue {
  field: ProjectV2FieldConfiguration!
  item: ProjectV2Item!
  text: String
}
type ProjectV2ItemFieldNumberValue {
  field: ProjectV2FieldConfiguration!
  item: ProjectV2Item!
  number: Float
}
type ProjectV2ItemFieldDateValue {
  date: Date
  field: ProjectV2FieldConfiguration!
  item: ProjectV2Item!
}
type ProjectV2ItemFieldSingleSelectValue {
  field: ProjectV2FieldConfiguration!
  item: ProjectV2Item!
  name: String
  optionId: String
}
type ProjectV2ItemFieldIterationValue {
  duration: Int!
  field: ProjectV2FieldConfiguration!
  item: ProjectV2Item!
  iterationId: String!
  startDate: Date!
  title: String!
}

union ProjectV2ItemFieldValue =
    ProjectV2ItemFieldDateValue
  | ProjectV2ItemFieldIterationValue
  | ProjectV2ItemFieldNumberValue
  | ProjectV2ItemFieldSingleSelectValue
  | ProjectV2ItemFieldTextValue

type ProjectV2ItemFieldValueConnection {
  nodes: [ProjectV2ItemFieldValue]
  pageInfo: PageInfo!
  totalCount: Int!
}

input AddProjectV2ItemByIdInput {
  clientMutationId: String
  contentId: ID!
  projectId: ID!
}

type AddProjectV2ItemByIdPayload {
  clientMutationId: String
  item: ProjectV2Item
}

input ProjectV2FieldValue {
  date: Date
  iterationId: String
  number: Float
  singleSelectOptionId: String
  text: String
}

input UpdateProjectV2ItemFieldValueInput {
  clientMutationId: String
  fieldId: ID!
  itemId: ID!
  projectId: ID!
  value: ProjectV2FieldValue!
}

type UpdateProjectV2ItemFieldValuePayload {
  clientMutationId: String
  projectV2Item: ProjectV2Item
}

input ProjectV2SingleSelectFieldOptionInput {
  color: ProjectV2SingleSelectFieldOptionColor!
  description: String!
  name: String!
}

input CreateProjectV2FieldInput {
  clientMutationId: String
  dataType: ProjectV2CustomFieldType!
  name: String!
  projectId: ID!
  singleSelectOptions: [ProjectV2SingleSelectFieldOptionInput!]
}

type CreateProjectV2FieldPayload {
  clientMutationId: String
  projectV2Field: ProjectV2FieldConfiguration
}
"""


@cache
def schema() -> GraphQLSchema:
    return build_schema(SDL)

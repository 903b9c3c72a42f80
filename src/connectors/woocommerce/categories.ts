/**
 * WC6–WC8: which of a product's categories Kontor files it under. Among the categories the
 * product is assigned to, the one highest in the tree (fewest ancestors) wins; on a tie the
 * alphabetically first. Never an ancestor the product is not assigned to. Pure.
 */
import type { WooCategory } from './schemas'

export type CategoryTree = Map<string, WooCategory>

export function categoryTree(categories: WooCategory[]): CategoryTree {
  return new Map(categories.map((category) => [category.id, category]))
}

/** How many ancestors a category has; unknown parents end the walk, cycles are cut. */
export function ancestorCount(tree: CategoryTree, categoryId: string): number {
  let count = 0
  const seen = new Set<string>([categoryId])
  let parent = tree.get(categoryId)?.parent
  while (parent && parent !== '0' && !seen.has(parent)) {
    seen.add(parent)
    count++
    parent = tree.get(parent)?.parent
  }
  return count
}

export function chooseWooCategory(
  assigned: { id: string; name: string }[],
  tree: CategoryTree
): { id: string; name: string } | null {
  if (!assigned.length) return null
  const ranked = [...assigned].sort(
    (a, b) => ancestorCount(tree, a.id) - ancestorCount(tree, b.id) || a.name.localeCompare(b.name)
  )
  return ranked[0]
}
